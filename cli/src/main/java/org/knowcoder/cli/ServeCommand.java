package org.knowcoder.cli;

import org.knowcoder.api.KnowCoder;
import org.knowcoder.api.Options;
import org.knowcoder.api.Schema;
import org.knowcoder.server.ExtractionServer;
import org.knowcoder.server.ServerConfig;
import org.knowcoder.server.Signals;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", sortOptions = false,
        description = {"Serve extraction over HTTP: POST /v1/extract, the OpenAI-compatible POST /v1/completions and /v1/chat/completions,"
                + " GET /v1/models, /health, /metrics, and a playground page at /.",
                "Prints 'serve: listening on URL' on stderr once bound; SIGTERM or Ctrl-C stops accepting, finishes the requests in flight, exits 0."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "PATH", description = "llama2.c .bin, Hugging Face directory, .safetensors with config.json, PyTorch or GGUF checkpoint (default: KnowCoder-mini, embedded in the jar)")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "PATH", description = "SentencePiece .model or llama2.c tokenizer.bin (default: the one in or beside the model)")
    Path tokenizer;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to listen on (default ${DEFAULT-VALUE}: this machine only; the server has no TLS)")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "port to listen on, 0 for any free one (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY", description = "require 'Authorization: Bearer KEY' on every endpoint but /health and the page")
    String apiKey;

    @Option(names = "--max-batch", defaultValue = "16", description = "prompts decoded together, from all requests in flight (default ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(names = "--max-queue", defaultValue = "64", description = "model requests (extractions, completions) admitted at once; more get 429 with Retry-After (default ${DEFAULT-VALUE})")
    int maxQueue;

    @Option(names = "--timeout", defaultValue = "120", paramLabel = "S", description = "seconds a request may take before it gets 504 (default ${DEFAULT-VALUE})")
    long timeout;

    @Option(names = "--max-new-tokens", defaultValue = "640", description = "generated tokens per prompt at most (default ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Mixin
    ThreadsOption threads;

    @Mixin
    DeviceOptions device;

    @Override
    public Integer call() throws Exception {
        // every option checked, and the model found, before the port is taken
        ServerConfig config = new ServerConfig(host, port, apiKey, maxQueue, Duration.ofSeconds(timeout), ServerConfig.DEFAULT_MAX_BODY_BYTES);
        device.check();
        Options options = Options.defaults().withTokenizer(tokenizer).withDevice(device.device).withQuantize(device.quantize)
                .withThreads(threads.count()).withBatch(maxBatch).withMaxNewTokens(maxNewTokens);
        Path path = model != null ? model : KnowCoder.embeddedModel();
        Schema defaults = model == null ? Schema.embeddedDefaults() : null;
        try (ExtractionServer server = ExtractionServer.start(config)) {
            CountDownLatch stop = new CountDownLatch(1);
            Signals.onTerminate(stop::countDown); // once bound: a server that failed to start leaves signals as they were
            System.err.println("serve: listening on " + server.url());
            KnowCoder kc = model == null ? KnowCoder.load(options) : KnowCoder.load(path, options);
            server.ready(kc, model == null ? "knowcoder-mini" : path.getFileName().toString(), defaults);
            System.err.println("serve: ready: " + kc);
            stop.await();
            System.err.println("serve: stopping: finishing the requests in flight");
        }
        System.err.println("serve: stopped");
        return 0;
    }
}
