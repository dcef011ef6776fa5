package org.knowcoder.train;

import org.knowcoder.tensor.Half;

import java.util.List;

/**
 * BF16 working weights over F32 masters: for each forward and backward the parameters compute with
 * copies rounded to BF16 from the masters' current values, so the copies always follow the latest
 * optimizer step (and a resumed run, which loads only masters, gets the same copies). Outside that
 * window the parameters hold their masters again, which AdamW updates and checkpoints save.
 */
final class Bf16Weights {
    private final List<Parameter> params;
    private final float[][] copies;
    private final float[][] masters;

    Bf16Weights(List<Parameter> params) {
        this.params = params;
        this.copies = new float[params.size()][];
        this.masters = new float[params.size()][];
        for (int i = 0; i < copies.length; i++) copies[i] = new float[params.get(i).var().size()];
    }

    /** Rounds the masters into the copies and makes the parameters compute with the copies. */
    void swapIn() {
        for (int i = 0; i < copies.length; i++) {
            float[] copy = copies[i];
            float[] master = params.get(i).var().swapValue(copy);
            for (int j = 0; j < copy.length; j++) copy[j] = Half.roundToBf16(master[j]);
            masters[i] = master;
        }
    }

    /** Gives the parameters their masters back. */
    void swapOut() {
        for (int i = 0; i < masters.length; i++) {
            params.get(i).var().swapValue(masters[i]);
            masters[i] = null;
        }
    }
}
