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
 * @param microBatch     examples per forward and backward (the step accumulates their gradients)
 * @param pretrainSteps  schema-understanding steps
 * @param finetuneSteps  schema-following steps
 * @param evalSentences  test sentences per dataset at most (0: all)
 * @param maxNewTokens   generated tokens per sentence at most in the evaluation
 */
public record Sizes(int vocab, int dim, int layers, int heads, int hidden, int seqLen, int trainSentences, int batch, int microBatch,
                    int pretrainSteps, int finetuneSteps, int evalSentences, int maxNewTokens) {
    /**
     * The notes' shape (dim 256, 6 layers, 8 heads, hidden 768, vocab 8000 from our own tokenizer;
     * 9.2M parameters with the classifier untied): the largest that trains at about 2,000 real
     * tokens/s packed on 2 threads (README). A schema-following sample (class definitions with
     * docstrings, instruction, sentence, results) is 800-3,400 bytes, median 1,500: about 400 tokens
     * of this vocabulary, at most about 950, so the context is 1,024 and no sample loses its results
     * to the cut. A pretraining step is 16 packed sequences of 1,024 tokens of definition and
     * instance code (about 8 s), a fine-tuning step 16 instructions of about 400 tokens (about 3 s);
     * two sequences per forward keep the activations (attention over 1,024 positions, logits over
     * 8,000 pieces) in the default heap, where 16 at once ran out of its 6 GB. So 200 pretraining
     * steps are about 27 minutes (3.3M tokens: about half the understanding data, some 7.5M tokens
     * from 59,000 train sentences), and 1,000 fine-tuning steps about 55 minutes (16,000
     * instructions, a quarter of the about 61,000 built: the notes' curve was still rising at 60
     * minutes, and more varied data helps more than repeats). The full test splits (about 25,000
     * sentences, greedy, 128 new tokens at most: a result list is rarely longer) and the tokenizer
     * and data stages take the rest of the 150 minutes. Estimates, to be replaced by the measured
     * stage times of the first full run.
     */
    public static final Sizes FULL = new Sizes(8000, 256, 6, 8, 768, 1024, 0, 16, 2, 200, 1000, 0, 128);

    /** Small enough that the whole recipe runs in well under a minute on a few datasets. */
    public static final Sizes QUICK = new Sizes(1000, 32, 2, 2, 64, 1024, 30, 4, 4, 3, 3, 2, 8);
}
