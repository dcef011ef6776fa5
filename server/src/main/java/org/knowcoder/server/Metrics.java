package org.knowcoder.server;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * What {@code GET /metrics} reports, in Prometheus' text format: requests by endpoint and status, a
 * latency histogram per endpoint, texts extracted, and the extraction queue's depth. Lock-free
 * counters, since every request updates them.
 */
final class Metrics {
    /** Seconds: from a health check's microseconds to a long document's minute. */
    private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final Map<String, LongAdder> requests = new ConcurrentSkipListMap<>();
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final LongAdder texts = new LongAdder();
    private final IntSupplier queueDepth;

    /** @param queueDepth the extraction requests admitted and not yet answered */
    Metrics(IntSupplier queueDepth) {
        this.queueDepth = queueDepth;
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
        out.append("# HELP knowcoder_queue_depth Extraction requests admitted and not yet answered.\n# TYPE knowcoder_queue_depth gauge\nknowcoder_queue_depth ")
                .append(queueDepth.getAsInt()).append('\n');
        return out.toString();
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
