package org.knowcoder.ie.extract;

import org.knowcoder.model.session.BatchDecoder;

/** Where extraction time goes: prefill and decode (the decoder's counts) and parsing the outputs (by scoring). */
public final class ExtractionTimings {
    private final BatchDecoder.Stats decoding;
    private long parseNanos;

    ExtractionTimings(BatchDecoder.Stats decoding) {
        this.decoding = decoding;
    }

    void addParse(long nanos) {
        parseNanos += nanos;
    }

    public long prefillNanos() {
        return decoding.prefillNanos();
    }

    public long decodeNanos() {
        return decoding.decodeNanos();
    }

    public long parseNanos() {
        return parseNanos;
    }

    public long prefilledTokens() {
        return decoding.prefilledTokens();
    }

    public long decodedTokens() {
        return decoding.decodedTokens();
    }
}
