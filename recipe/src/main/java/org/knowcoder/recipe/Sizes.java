package org.knowcoder.recipe;

/**
 * How big each part of the recipe is. {@link #FULL} is sized for 150 minutes on 2 CPU cores (the
 * measurements behind it are in the README's recipe section); {@link #QUICK} only exercises the
 * plumbing.
 *
 * @param vocab          tokenizer pieces, byte and special pieces included
 * @param dim            model width; with {@code layers}, {@code heads} and {@code hidden} the model's shape
 * @param seqLen         context, and the longest fine-tuning instruction (a longer one is left out)
 * @param pretrainSeqLen schema-understanding sequence length (the data is cut into pieces of at most this many tokens)
 * @param trainSentences sentences read from each train split (and, for fine-tuning, dev split) at most (0: all)
 * @param batch          examples per optimizer step, in both training runs
 * @param microBatch     examples per forward and backward in pretraining (the step accumulates their gradients)
 * @param promptBlock    examples per forward and backward in fine-tuning: a block of instructions that begin alike, whose
 *                       shared prompt is computed once ({@code train --group-by-prompt})
 * @param pretrainSteps  schema-understanding steps
 * @param finetuneSteps  schema-following steps
 * @param soupBranches   further fine-tuning runs from the fine-tuned model, each with its own data order, averaged with it
 * @param soupSteps      steps of each of those runs
 * @param evalSentences  test sentences per dataset at most (0: all)
 * @param maxNewTokens   generated tokens per sentence at most in the evaluation
 */
public record Sizes(int vocab, int dim, int layers, int heads, int hidden, int seqLen, int pretrainSeqLen, int trainSentences, int batch,
                    int microBatch, int promptBlock, int pretrainSteps, int finetuneSteps, int soupBranches, int soupSteps, int evalSentences,
                    int maxNewTokens) {
    /**
     * 4.8M parameters (dim 192, 4 layers of 6 heads, hidden 512, an 8,000-piece vocabulary, the
     * classifier untied): at this size a step is cheap enough for the many updates that copying
     * from the prompt needs before it is learned at all (the 9.2M shape of the notes got a few
     * hundred in the time and never learned it). Understanding on short sequences (256 tokens:
     * a class's code, or a sentence and its instances) gives more updates per token than whole
     * 1,024-token sequences; fine-tuning blocks of 16 instructions share one prompt.
     */
    public static final Sizes FULL = new Sizes(8000, 192, 4, 6, 512, 1024, 256, 0, 16, 16, 16, 1200, 20000, 3, 1500, 0, 128);

    /** Small enough that the whole recipe runs in well under a minute on a few datasets. */
    public static final Sizes QUICK = new Sizes(1000, 32, 2, 2, 64, 1024, 256, 30, 4, 4, 4, 3, 3, 2, 3, 2, 8);
}
