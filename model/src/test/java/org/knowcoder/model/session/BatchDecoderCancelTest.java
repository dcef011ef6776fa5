package org.knowcoder.model.session;

import org.junit.jupiter.api.Test;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.testing.TestPool;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BatchDecoder#run(Queue, java.util.function.Predicate, BatchDecoder.Done)}: a request cancelled
 * mid-answer leaves at the next step and its slot serves the one waiting; one cancelled while waiting
 * never starts; the load counts what ran. On a random model of stories260K's shape.
 */
class BatchDecoderCancelTest {
    /** Greedy; takes {@code limit} tokens, or stops taking them once cancelled. */
    private static final class Counted implements BatchDecoder.Request {
        final int limit;
        int taken;
        volatile boolean cancelled;

        Counted(int limit) {
            this.limit = limit;
        }

        @Override
        public int[] prompt() {
            return new int[] {1, 403, 407, 261};
        }

        @Override
        public int choose(float[] logits, int offset, int vocab) {
            return Sampler.argmax(logits, offset, vocab);
        }

        @Override
        public boolean accept(int token) {
            return ++taken < limit;
        }
    }

    @Test
    void aCancelledRequestLeavesAtTheNextStepAndItsSlotServesTheNext() throws Exception {
        try (LlamaWeights w = RandomModels.stories()) {
            BatchDecoder decoder = new BatchDecoder(new LlamaSession(w, TestPool.TWO_THREADS, 2), true); // one slot
            Counted talker = new Counted(300), never = new Counted(5), next = new Counted(5);
            Queue<Counted> waiting = new ArrayDeque<>(List.of(talker, never, next));
            never.cancelled = true;
            List<Counted> done = new ArrayList<>();
            decoder.run(waiting, r -> {
                if (talker.taken == 10) talker.cancelled = true; // as another thread would, between steps
                return r.cancelled;
            }, done::add);
            assertEquals(List.of(next), done, "neither cancelled request is done");
            assertEquals(10, talker.taken, "the cancelled request took no token after the cancel");
            assertEquals(0, never.taken, "a request cancelled while waiting never starts");
            assertEquals(5, next.taken);
            DecoderLoad load = decoder.load();
            assertEquals(15, load.generatedTokens());
            assertEquals(8, load.promptTokens(), "two prompts of four tokens started");
            assertEquals(13, load.steps(1), "one slot: every step decoded one sequence (the first tokens come from the prefills)");
            assertEquals(0, load.active());
        }
    }
}
