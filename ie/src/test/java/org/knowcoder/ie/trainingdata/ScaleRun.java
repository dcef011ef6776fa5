package org.knowcoder.ie.trainingdata;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowcoder.schema.SchemaLibrary;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Acceptance 4 by hand: {@code java -Xmx1g -cp ... ScaleRun DIR SENTENCES [THREADS [jsonl]]} builds both
 * phases from SENTENCES synthetic corpus lines and IE samples with a 30,000-concept library and
 * prints sentences/s, output sizes and the peak heap; {@code jsonl} skips the (byte-level) token shards. {@link ScaleTest} runs it small in a 1 GB JVM.
 */
public final class ScaleRun {
    private ScaleRun() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        var tokenizer = args.length > 3 && args[3].equals("jsonl") ? null : TestLibrary.BYTES;
        int types = 29_900; // plus 50 relations and 50 events: 30,000 concepts
        SchemaLibrary library = TestLibrary.synthetic(types);
        Path corpus = dir.resolve("corpus.jsonl"), samples = dir.resolve("samples.jsonl");
        try (BufferedWriter c = Files.newBufferedWriter(corpus); BufferedWriter s = Files.newBufferedWriter(samples)) {
            for (int i = 0; i < n; i++) {
                c.write(BuildRunTest.corpusLine(i, types));
                c.newLine();
                s.write(BuildRunTest.sampleLine(i, types));
                s.newLine();
            }
        }
        ObjectNode u = UnderstandingBuilder.build(List.of(corpus), library, InstanceForm.SENTENCE_FIRST, 2048, 1, tokenizer,
                "bytes", dir.resolve("out"), threads, System.err::println);
        report(u, dir.resolve("out"), "understanding");
        ObjectNode f = FollowingBuilder.build(List.of(samples), library, FollowingOptions.defaults(1), tokenizer, "bytes",
                dir.resolve("out"), threads, System.err::println);
        report(f, dir.resolve("out"), "following");
        System.out.printf("peak heap %.0f MB of %.0f MB%n", peakHeapMb(), Runtime.getRuntime().maxMemory() / 1e6);
    }

    private static void report(ObjectNode summary, Path out, String name) throws IOException {
        System.out.printf("%s: %,d lines in %.1f s = %,d lines/s; %,d samples, %,d tokens; jsonl %,d bytes, tokens %,d bytes; %,d bad lines%n",
                name, summary.get("lines").asLong(), summary.get("seconds").asDouble(), summary.get("lines_per_second").asLong(),
                summary.at("/total/samples").asLong(), summary.at("/total/tokens").asLong(), Files.size(out.resolve(name + ".jsonl")),
                Files.exists(out.resolve(name + ".tokens")) ? Files.size(out.resolve(name + ".tokens")) : 0, summary.get("bad_lines").asLong());
    }

    private static double peakHeapMb() {
        return java.lang.management.ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum() / 1e6;
    }
}
