package org.knowcoder.recipe;

/**
 * How big each part of the recipe is. {@link #FULL} is sized for 150 minutes on 2 CPU cores from the
 * measurements in the notes file (../shared/notes/knowcoder-mini.md) and the README's packing numbers;
 * {@link #QUICK} only exercises the plumbing.
 *
 * @param vocab          tokenizer pieces, byte and special pieces included
 * @param dim            model width; with {@code layers}, {@code heads} and {@code hidden} the model's shape
 * @param seqLen         context and training sequence length
 * @param trainSentences sentences read from each train split at most (0: all)
 * @param batch          examples per optimizer step, in both training runs
 * @param microBatch     examples per forward and backward in pretraining (the step accumulates their gradients)
 * @param promptBlock    examples per forward and backward in fine-tuning: a block of instructions that begin alike, whose
 *                       shared prompt is computed once ({@code train --group-by-prompt})
 * @param pretrainSteps  schema-understanding steps
 * @param finetuneSteps  schema-following steps
 * @param evalSentences  test sentences per dataset at most (0: all)
 * @param maxNewTokens   generated tokens per sentence at most in the evaluation
 */
public record Sizes(int vocab, int dim, int layers, int heads, int hidden, int seqLen, int trainSentences, int batch, int microBatch,
                    int promptBlock, int pretrainSteps, int finetuneSteps, int evalSentences, int maxNewTokens) {
    /**
     * The notes' shape (dim 256, 6 layers, 8 heads, hidden 768, vocab 8000 from our own tokenizer;
     * 9.2M parameters with the classifier untied), context 1,024: it holds nearly every NER, RE and
     * ED instruction whole; an instruction longer than the context is cut, and with it its results
     * (EAE's, whose prompts average 1,617 tokens, mostly lose theirs). Two sequences per forward
     * keep the activations (attention over 1,024 positions, logits over 8,000 pieces) in a default
     * heap. Measured on 2 threads of an AMD EPYC (Zen 5): pretraining on full 1,024-token sequences
     * runs at 800-1,000 tokens/s, so a step of 16 sequences takes about 17 s and 100 steps (1.6M
     * tokens, some 40% of the 4.1M of understanding data) 28 minutes. The schema-following
     * instructions are longer than first estimated: 760 tokens on average (NER 331, RE 888, ED 975,
     * EAE 1,617: RE, ED and EAE prompts define many classes with docstrings), so a fine-tuning step
     * of 16 takes about 16 s, and 170 steps (2,720 of the 72,729 instructions built) 45 minutes.
     * With the full test splits (greedy, 128 new tokens at most: a result list is rarely longer)
     * that is within the 150 minutes; more fine-tuning needs cheaper steps. Grouped by prompt, a
     * block of 8 instructions of one dataset in the evaluation's form holds its prompt (90 tokens for
     * CoNLL03's four classes, about 900 for a relation dataset's) once: on the recipe's data 2.5 times
     * fewer rows than apart. Spaces kept apart from words (so that the model can copy them) make
     * the text about 1.5 times the tokens. 800 steps of 16 are 12,800 instructions.
     */
    public static final Sizes FULL = new Sizes(8000, 256, 6, 8, 768, 1024, 0, 16, 2, 8, 100, 800, 0, 128);

    /** Small enough that the whole recipe runs in well under a minute on a few datasets. */
    public static final Sizes QUICK = new Sizes(1000, 32, 2, 2, 64, 1024, 30, 4, 4, 4, 3, 3, 2, 8);
}
