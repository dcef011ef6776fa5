package org.knowcoder.ie.extract;

/** Where extraction time goes: prefill and decode (by the extractor) and parsing the outputs (by scoring). */
public final class ExtractionTimings {
    private long prefillNanos, decodeNanos, parseNanos;
    private long prefilledTokens, decodedTokens;

    void addPrefill(long nanos, int tokens) {
        prefillNanos += nanos;
        prefilledTokens += tokens;
    }

    void addDecode(long nanos, int tokens) {
        decodeNanos += nanos;
        decodedTokens += tokens;
    }

    void addParse(long nanos) {
        parseNanos += nanos;
    }

    public long prefillNanos() {
        return prefillNanos;
    }

    public long decodeNanos() {
        return decodeNanos;
    }

    public long parseNanos() {
        return parseNanos;
    }

    public long prefilledTokens() {
        return prefilledTokens;
    }

    public long decodedTokens() {
        return decodedTokens;
    }
}
