package org.knowcoder.server;

import org.junit.jupiter.api.Test;
import org.knowcoder.api.Completion;
import org.knowcoder.api.Extraction;
import org.knowcoder.api.Generation;
import org.knowcoder.api.KnowCoder;
import org.knowcoder.api.Schema;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Extractions and completions share the decoder's batch: a prompt of one kind takes a free slot
 * while the other kind's answer is still decoding, rather than waiting for it to end. On a random
 * model slow enough that a long answer is still decoding when the other request is done.
 */
class SharedBatchTest {
    @Test
    void anExtractionJoinsTheBatchWhileACompletionDecodes() throws Exception {
        try (KnowCoder kc = TinyModel.loadWider()) {
            CountDownLatch writing = new CountDownLatch(3);
            CompletableFuture<Completion> completion = kc.complete("Once upon a time, Lily", Generation.greedy(480), t -> writing.countDown());
            writing.await();
            Extraction e = kc.submit("1", "Ann went home.", Schema.of("Person"), null).get(60, TimeUnit.SECONDS);
            assertFalse(completion.isDone(), "the extraction was answered while the completion decoded on");
            assertEquals("Ann went home.", e.text());
            completion.cancel(false); // its end is not what is tested
        }
    }
}
