package org.knowcoder.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.model.LlamaConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * {@link SevenB}'s figures for one file and how they are reported: medians over the rounds (ratios
 * and bandwidth fractions: medians of each round's, the two taken side by side), the peak resident
 * set against its bound, as JSON and as a row of a markdown table.
 */
final class SevenBReport {
    private SevenBReport() {}

    /** Beyond the weights and the KV cache, what issue 19 allows a process at 7B: the JVM, the code, the buffers. */
    static final long ALLOWANCE = 300_000_000L;
    /** Issue 19's goal for decode: at least this fraction of the measured read bandwidth. */
    static final double BANDWIDTH_GOAL = 0.85;

    /** One file's measurements, round by round; {@code llamaCpp} is empty unless llama.cpp ran it. */
    record Row(SevenBFiles.Target target, long fileBytes, long kvCacheBytes, long llamaCppBytesPerToken,
               List<Double> readGbs, List<SpeedRun.Timing> ours, List<ExternalDecode.Measured> llamaCpp) {
        Row(SevenBFiles.Target target, long fileBytes, long kvCacheBytes, long llamaCppBytesPerToken) {
            this(target, fileBytes, kvCacheBytes, llamaCppBytesPerToken, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }

        long budget() {
            return fileBytes + kvCacheBytes + ALLOWANCE;
        }

        long peakRss() {
            return ours.stream().mapToLong(SpeedRun.Timing::peakRssBytes).max().orElse(0);
        }

        boolean withinBudget() {
            return peakRss() > 0 && peakRss() <= budget();
        }

        double median(ToDoubleFunction<SpeedRun.Timing> f) {
            return SpeedRun.median(ours.stream().mapToDouble(f).toArray());
        }

        /** Our decode's weight GB/s over the read bandwidth measured just before it, per round. */
        double[] fractions() {
            double[] f = new double[ours.size()];
            for (int r = 0; r < f.length; r++) f[r] = ours.get(r).decode() * ours.get(r).streamedBytes() / 1e9 / readGbs.get(r);
            return f;
        }

        double[] llamaCpp(int field) {
            return llamaCpp.stream().mapToDouble(m -> m.numbers()[field]).toArray();
        }

        /** llama.cpp's decode weight GB/s over the same round's read bandwidth. */
        double[] llamaCppFractions() {
            double[] f = new double[llamaCpp.size()];
            for (int r = 0; r < f.length; r++) f[r] = llamaCpp.get(r).numbers()[0] * llamaCppBytesPerToken / 1e9 / readGbs.get(r);
            return f;
        }

        /** Ours over llama.cpp's, round by round, of decode (field 0) or prefill (field 1). */
        double[] oursOverLlamaCpp(int field) {
            double[] q = new double[llamaCpp.size()];
            for (int r = 0; r < q.length; r++) q[r] = (field == 0 ? ours.get(r).decode() : ours.get(r).prefill()) / llamaCpp.get(r).numbers()[field];
            return q;
        }
    }

    /** The row as JSON: medians, the per-round figures under "rounds", llama.cpp's beside ours. */
    static ObjectNode json(Row row) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("file", row.target().path().toString());
        n.put("file_bytes", row.fileBytes());
        n.put("load_s", round(row.median(SpeedRun.Timing::loadSeconds)));
        n.put("first_token_s", round(row.median(SpeedRun.Timing::firstTokenSeconds)));
        n.put("peak_rss_bytes", row.peakRss());
        n.put("rss_bound_bytes", row.budget());
        n.put("within_bound", row.withinBudget());
        n.put("decode_tok_s", round(row.median(SpeedRun.Timing::decode)));
        n.put("prefill_tok_s", round(row.median(SpeedRun.Timing::prefill)));
        long bytes = row.ours().getFirst().streamedBytes();
        n.put("weight_bytes_per_token", bytes);
        n.put("decode_weight_gb_s", round(row.median(SpeedRun.Timing::decode) * bytes / 1e9));
        n.put("read_gb_s", round(SpeedRun.median(row.readGbs().stream().mapToDouble(Double::doubleValue).toArray())));
        double fraction = SpeedRun.median(row.fractions());
        n.put("bandwidth_fraction", round(fraction));
        n.put("meets_bandwidth_goal", fraction >= BANDWIDTH_GOAL);
        ObjectNode rounds = n.putObject("rounds");
        rounds.putPOJO("decode_tok_s", rounded(row.ours().stream().mapToDouble(SpeedRun.Timing::decode).toArray()));
        rounds.putPOJO("prefill_tok_s", rounded(row.ours().stream().mapToDouble(SpeedRun.Timing::prefill).toArray()));
        rounds.putPOJO("read_gb_s", rounded(row.readGbs().stream().mapToDouble(Double::doubleValue).toArray()));
        rounds.putPOJO("load_s", rounded(row.ours().stream().mapToDouble(SpeedRun.Timing::loadSeconds).toArray()));
        rounds.putPOJO("peak_rss_bytes", row.ours().stream().mapToLong(SpeedRun.Timing::peakRssBytes).toArray());
        if (!row.llamaCpp().isEmpty()) {
            ObjectNode l = n.putObject("llamacpp");
            l.put("decode_tok_s", round(SpeedRun.median(row.llamaCpp(0))));
            l.put("prefill_tok_s", round(SpeedRun.median(row.llamaCpp(1))));
            l.put("peak_rss_bytes", row.llamaCpp().stream().mapToLong(ExternalDecode.Measured::peakRssBytes).max().orElse(0));
            l.put("weight_bytes_per_token", row.llamaCppBytesPerToken());
            l.put("bandwidth_fraction", round(SpeedRun.median(row.llamaCppFractions())));
            l.put("decode_ours_over_llamacpp", round(SpeedRun.median(row.oursOverLlamaCpp(0))));
            l.put("prefill_ours_over_llamacpp", round(SpeedRun.median(row.oursOverLlamaCpp(1))));
            ObjectNode lr = l.putObject("rounds");
            lr.putPOJO("decode_tok_s", rounded(row.llamaCpp(0)));
            lr.putPOJO("prefill_tok_s", rounded(row.llamaCpp(1)));
        }
        return n;
    }

    /** A markdown table of the rows: our figures, then llama.cpp's on the same file and the ratios. */
    static String markdown(List<Row> rows) {
        StringBuilder t = new StringBuilder("| file | GB | load s | first token s | peak RSS GB | bound GB | decode tok/s | weight GB/s "
                + "| read GB/s | of read | prefill tok/s | llama.cpp decode | llama.cpp prefill | llama.cpp RSS GB | of read "
                + "| decode ours/llama.cpp | prefill ours/llama.cpp |\n|" + "---|".repeat(17) + "\n");
        for (Row r : rows) {
            double decode = r.median(SpeedRun.Timing::decode);
            t.append(String.format(Locale.ROOT, "| %s | %.3f | %.2f | %.2f | %.2f%s | %.2f | %.1f | %.1f | %.1f | %.2f | %.1f |",
                    r.target().name(), r.fileBytes() / 1e9, r.median(SpeedRun.Timing::loadSeconds), r.median(SpeedRun.Timing::firstTokenSeconds),
                    r.peakRss() / 1e9, r.withinBudget() ? "" : " (over)", r.budget() / 1e9, decode,
                    decode * r.ours().getFirst().streamedBytes() / 1e9, SpeedRun.median(r.readGbs().stream().mapToDouble(Double::doubleValue).toArray()),
                    SpeedRun.median(r.fractions()), r.median(SpeedRun.Timing::prefill)));
            if (r.llamaCpp().isEmpty()) {
                t.append(" | | | | | |\n");
            } else {
                t.append(String.format(Locale.ROOT, " %.1f | %.1f | %.2f | %.2f | %.2f | %.2f |%n", SpeedRun.median(r.llamaCpp(0)),
                        SpeedRun.median(r.llamaCpp(1)), r.llamaCpp().stream().mapToLong(ExternalDecode.Measured::peakRssBytes).max().orElse(0) / 1e9,
                        SpeedRun.median(r.llamaCppFractions()), SpeedRun.median(r.oursOverLlamaCpp(0)), SpeedRun.median(r.oursOverLlamaCpp(1))));
            }
        }
        return t.toString();
    }

    /** The model's config and the run's settings, the header of the report. */
    static ObjectNode header(String model, LlamaConfig c, int threads, int tokens, int prompt, int rounds, long kvCacheBytes) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("model", model);
        n.putPOJO("config", c);
        n.put("threads", threads);
        n.put("cores", Runtime.getRuntime().availableProcessors());
        n.put("decode_tokens", tokens);
        n.put("prompt_tokens", prompt);
        n.put("rounds", rounds);
        n.put("kv_cache_bytes", kvCacheBytes);
        n.put("rss_allowance_bytes", ALLOWANCE);
        n.put("bandwidth_goal", BANDWIDTH_GOAL);
        return n;
    }

    private static double[] rounded(double[] values) {
        double[] r = new double[values.length];
        for (int i = 0; i < r.length; i++) r[i] = round(values[i]);
        return r;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
