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
 * @param pretrainSteps  schema-understanding steps
 * @param finetuneSteps  schema-following steps
 * @param evalSentences  test sentences per dataset at most (0: all)
 * @param maxNewTokens   generated tokens per sentence at most in the evaluation
 */
public record Sizes(int vocab, int dim, int layers, int heads, int hidden, int seqLen, int trainSentences, int batch,
                    int pretrainSteps, int finetuneSteps, int evalSentences, int maxNewTokens) {
    /**
     * The notes' 6M-parameter shape (dim 256, 6 layers, 8 heads, hidden 768, vocab 8000 from our own
     * tokenizer): the largest that trains at about 2,000 real tokens/s packed on 2 threads. A step
     * of 16 sequences is 4,096 tokens of definition and instance code (about 2 s), so 600 pretraining
     * steps are about 20 minutes; a schema-following example is about 150 tokens (class definitions,
     * sentence, results), so 3,000 fine-tuning steps are about 60 minutes: the notes' curve still rose
     * at 60 minutes on CoNLL03 alone, and every train split gives it more varied data to spend them on.
     * The full test splits (about 25,000 sentences, greedy, 128 new tokens at most: a result list is
     * rarely longer) and the tokenizer and data stages take the rest of the 150 minutes. Estimates,
     * to be replaced by the measured stage times of the first full run.
     */
    public static final Sizes FULL = new Sizes(8000, 256, 6, 8, 768, 256, 0, 16, 600, 3000, 0, 128);

    /** Small enough that the whole recipe runs in well under a minute on a few datasets. */
    public static final Sizes QUICK = new Sizes(400, 32, 2, 2, 64, 256, 30, 4, 3, 3, 2, 8);
}
