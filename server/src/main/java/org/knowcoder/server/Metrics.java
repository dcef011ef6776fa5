package org.knowcoder.server;

import org.knowcoder.model.session.DecoderLoad;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What {@code GET /metrics} reports, in Prometheus' text format: requests by endpoint and status, a
 * latency histogram per endpoint, texts extracted, the admission queue's depth, and the decoder's
 * own counts (prompt and generated tokens, sequences in flight, how full each decode step was).
 * Lock-free counters, since every request updates them.
 */
final class Metrics {
    /** Seconds: from a health check's microseconds to a long document's minute. */
    private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final Map<String, LongAdder> requests = new ConcurrentSkipListMap<>();
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final LongAdder texts = new LongAdder();
    private final IntSupplier queueDepth;
    private final Supplier<DecoderLoad> decoding;

    /**
     * @param queueDepth the model requests admitted and not yet done
     * @param decoding   the model's decoder, or null until it is loaded
     */
    Metrics(IntSupplier queueDepth, Supplier<DecoderLoad> decoding) {
        this.queueDepth = queueDepth;
        this.decoding = decoding;
    }

    void request(String endpoint, int status, long nanos) {
        requests.computeIfAbsent("endpoint=\"" + endpoint + "\",status=\"" + status + "\"", k -> new LongAdder()).increment();
        latency.computeIfAbsent(endpoint, e -> new Histogram()).add(nanos / 1e9);
    }

    void texts(int n) {
        texts.add(n);
    }

    String render() {
        StringBuilder out = new StringBuilder();
        out.append("# HELP knowcoder_requests_total HTTP requests answered, by endpoint and status.\n# TYPE knowcoder_requests_total counter\n");
        requests.forEach((labels, n) -> out.append("knowcoder_requests_total{").append(labels).append("} ").append(n.sum()).append('\n'));
        out.append("# HELP knowcoder_request_duration_seconds Time from a request's arrival to its answer.\n# TYPE knowcoder_request_duration_seconds histogram\n");
        new ConcurrentSkipListMap<>(latency).forEach((endpoint, h) -> h.render(out, endpoint));
        out.append("# HELP knowcoder_texts_total Texts extracted from.\n# TYPE knowcoder_texts_total counter\nknowcoder_texts_total ")
                .append(texts.sum()).append('\n');
        out.append("# HELP knowcoder_queue_depth Model requests (extractions, completions) admitted and not yet done.\n# TYPE knowcoder_queue_depth gauge\nknowcoder_queue_depth ")
                .append(queueDepth.getAsInt()).append('\n');
        DecoderLoad load = decoding.get();
        if (load != null) decoder(out, load);
        return out.toString();
    }

    /** The decoder's counts; occupancy as a histogram whose buckets are sequence counts, 1 to the batch's slots. */
    private static void decoder(StringBuilder out, DecoderLoad load) {
        out.append("# HELP knowcoder_prompt_tokens_total Prompt tokens of every sequence started, BOS included.\n# TYPE knowcoder_prompt_tokens_total counter\n")
                .append("knowcoder_prompt_tokens_total ").append(load.promptTokens()).append('\n');
        out.append("# HELP knowcoder_generated_tokens_total Tokens generated (chosen by the model), each answer's last one included.\n")
                .append("# TYPE knowcoder_generated_tokens_total counter\nknowcoder_generated_tokens_total ").append(load.generatedTokens()).append('\n');
        out.append("# HELP knowcoder_batch_active_sequences Sequences being decoded now.\n# TYPE knowcoder_batch_active_sequences gauge\n")
                .append("knowcoder_batch_active_sequences ").append(load.active()).append('\n');
        out.append("# HELP knowcoder_batch_occupancy Sequences advanced together by each decode step, of knowcoder_batch_slots.\n")
                .append("# TYPE knowcoder_batch_occupancy histogram\n");
        long steps = 0, sequences = 0;
        for (int n = 1; n <= load.slots(); n++) {
            steps += load.steps(n);
            sequences += n * load.steps(n);
            out.append("knowcoder_batch_occupancy_bucket{le=\"").append(n).append("\"} ").append(steps).append('\n');
        }
        out.append("knowcoder_batch_occupancy_bucket{le=\"+Inf\"} ").append(steps).append('\n');
        out.append("knowcoder_batch_occupancy_sum ").append(sequences).append('\n');
        out.append("knowcoder_batch_occupancy_count ").append(steps).append('\n');
        out.append("# HELP knowcoder_batch_slots Sequences the decoder can advance together.\n# TYPE knowcoder_batch_slots gauge\n")
                .append("knowcoder_batch_slots ").append(load.slots()).append('\n');
    }

    private static final class Histogram {
        final LongAdder[] counts = new LongAdder[BUCKETS.length + 1];
        final DoubleAdder sum = new DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
        }

        void add(double seconds) {
            int i = 0;
            while (i < BUCKETS.length && seconds > BUCKETS[i]) i++;
            counts[i].increment();
            sum.add(seconds);
        }

        /** Cumulative buckets, as Prometheus reads them. */
        void render(StringBuilder out, String endpoint) {
            long cumulative = 0;
            for (int i = 0; i <= BUCKETS.length; i++) {
                cumulative += counts[i].sum();
                String le = i < BUCKETS.length ? String.format(Locale.ROOT, "%s", BUCKETS[i]) : "+Inf";
                out.append("knowcoder_request_duration_seconds_bucket{endpoint=\"").append(endpoint).append("\",le=\"").append(le).append("\"} ")
                        .append(cumulative).append('\n');
            }
            out.append("knowcoder_request_duration_seconds_sum{endpoint=\"").append(endpoint).append("\"} ")
                    .append(String.format(Locale.ROOT, "%.6f", sum.sum())).append('\n');
            out.append("knowcoder_request_duration_seconds_count{endpoint=\"").append(endpoint).append("\"} ").append(cumulative).append('\n');
        }
    }
}
