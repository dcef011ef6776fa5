package org.knowcoder.model;

import org.knowcoder.io.BadInputException;

/**
 * The shape and constants of a LLaMA-2 model.
 *
 * @param dim        model width (hidden_size)
 * @param hiddenDim  feed-forward width (intermediate_size)
 * @param seqLen     longest context the model supports (max_position_embeddings)
 * @param normEps    RMSNorm epsilon (llama2.c files: 1e-5)
 * @param ropeTheta  RoPE base (llama2.c files: 10000)
 */
public record LlamaConfig(int dim, int hiddenDim, int nLayers, int nHeads, int nKvHeads,
                          int vocabSize, int seqLen, float normEps, float ropeTheta) {

    public LlamaConfig {
        if (dim <= 0 || hiddenDim <= 0 || nLayers <= 0 || nHeads <= 0 || nKvHeads <= 0 || vocabSize <= 0 || seqLen <= 0) {
            // not "+ this": in a compact constructor the fields are still unassigned (all zero)
            throw new BadInputException("every size must be positive, got dim " + dim + ", hidden_dim " + hiddenDim
                    + ", n_layers " + nLayers + ", n_heads " + nHeads + ", n_kv_heads " + nKvHeads
                    + ", vocab_size " + vocabSize + ", seq_len " + seqLen);
        }
        if (dim % nHeads != 0) throw new BadInputException("dim " + dim + " is not a multiple of n_heads " + nHeads);
        if (nHeads % nKvHeads != 0) {
            throw new BadInputException("n_heads " + nHeads + " is not a multiple of n_kv_heads " + nKvHeads);
        }
        if ((dim / nHeads) % 2 != 0) throw new BadInputException("head size " + dim / nHeads + " is odd; RoPE needs pairs");
        // NaN compares false, so these are written to reject it too
        if (!(normEps > 0 && normEps < Float.POSITIVE_INFINITY)) {
            throw new BadInputException("norm eps (rms_norm_eps) must be a positive number, got " + normEps);
        }
        if (!(ropeTheta > 0 && ropeTheta < Float.POSITIVE_INFINITY)) {
            throw new BadInputException("RoPE theta (rope_theta) must be a positive number, got " + ropeTheta);
        }
    }

    public int headDim() {
        return dim / nHeads;
    }

    public int kvDim() {
        return nKvHeads * headDim();
    }
}
