package org.knowcoder.tokenizer.spm;

/** Splits normalized text into pieces: BPE merges or Unigram Viterbi. Implementations are thread-safe. */
interface SegmentationModel {
    /** Segments {@code normalized[0, length)} into {@code out} (cleared first). */
    void segment(byte[] normalized, int length, Segmentation out);
}
