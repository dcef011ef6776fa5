package org.knowcoder.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One phase of the serve load test: {@code clients} clients, each sending the next request of a
 * fixed cycle and waiting for its answer before the next, until the phase's time is up. The cycle
 * is shared, so two phases of different client counts send the same requests in the same order:
 * what one client sends one at a time is what 64 send together.
 *
 * @param requests each a path and a JSON body, sent in turn
 */
record LoadPhase(URI server, List<Request> requests) {
    /** A POST of {@code body} (JSON) to {@code path}. */
    record Request(String path, String body) {}

    /**
     * What a phase saw: answers by status, connection errors (no answer at all), and the latency of
     * each answer that was a 200, in seconds.
     */
    record Result(int clients, double seconds, Map<Integer, Long> statuses, long connectionErrors, double[] latencies) {
        long ok() {
            return statuses.getOrDefault(200, 0L);
        }

        long serverErrors() {
            return statuses.entrySet().stream().filter(e -> e.getKey() >= 500).mapToLong(Map.Entry::getValue).sum();
        }

        /** 200s a second over the phase. */
        double throughput() {
            return ok() / seconds;
        }

        /** The latency below which {@code p} of the 200s were answered (nearest rank). */
        double percentile(double p) {
            if (latencies.length == 0) return Double.NaN;
            double[] sorted = latencies.clone();
            Arrays.sort(sorted);
            return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
        }
    }

    /** HTTP/1.1 with keep-alive, as load tools and most clients speak to a server. */
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** Longer than the server's own timeout: a request unanswered by then is a hang, counted as a connection error. */
    private static final Duration HANG = Duration.ofSeconds(300);

    /** Runs {@code clients} clients for {@code duration}, starting at request {@code next} of the cycle (shared, advanced). */
    Result run(int clients, Duration duration, AtomicLong next) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        AtomicLong connectionErrors = new AtomicLong();
        long start = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                threads.submit(() -> {
                    while (System.nanoTime() < end) {
                        Request r = requests.get((int) (next.getAndIncrement() % requests.size()));
                        long t0 = System.nanoTime();
                        try {
                            int status = send(r);
                            statuses.add(status);
                            if (status == 200) latencies.add((System.nanoTime() - t0) / 1e9);
                        } catch (IOException e) {
                            connectionErrors.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
        }
        // the phase lasts until its last answer: requests started before the end are counted
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<Integer, Long> byStatus = new TreeMap<>();
        for (int s : statuses) byStatus.merge(s, 1L, Long::sum);
        return new Result(clients, seconds, byStatus, connectionErrors.get(), latencies.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private int send(Request r) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(server.resolve(r.path())).timeout(HANG).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(r.body())).build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The cycle the load test sends: extractions and completions in turn, each of its own text. */
    static List<Request> cycle(int size) {
        String[] names = {"Ann", "Bob", "Lily", "Tom", "Sue", "Max", "Mia", "Ben"};
        String[] places = {"Paris", "Rome", "the park", "the forest", "Berlin", "the sea", "London", "the garden"};
        List<Request> out = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String name = names[i % names.length], place = places[(i / names.length) % places.length];
            out.add(i % 2 == 0
                    ? new Request("/v1/extract", "{\"text\": \"" + name + " went to " + place + " with her friend.\", \"types\": [\"Person\", \"Location\"]}")
                    : new Request("/v1/completions", "{\"prompt\": \"Once upon a time, " + name + " went to " + place + "\", \"max_tokens\": 32, \"temperature\": 0}"));
        }
        return out;
    }
}
