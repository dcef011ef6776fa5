package org.knowcoder.model.session;

import org.junit.jupiter.api.Test;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.tensor.device.CpuDevice;
import org.knowcoder.testing.TestPool;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests that start while others decode: a session that packs prompts ({@link LlamaSession}) takes
 * their tails in the others' step, one that does not (the device-neutral session) in a pass of their
 * own; both give every request the greedy tokens it gets alone. On a random model of stories260K's shape.
 */
class BatchDecoderPassesTest {
    private static List<GreedyRequest> requests() {
        int[][] prompts = {{1, 403, 407, 261, 378}, {1, 403, 407, 261, 263, 302}, {1, 327, 280}, {1, 403, 407, 284}, {1, 395, 347, 262}};
        int[] limits = {9, 3, 6, 12, 4};
        List<GreedyRequest> out = new ArrayList<>();
        for (int i = 0; i < prompts.length; i++) out.add(new GreedyRequest(prompts[i], limits[i]));
        return out;
    }

    private static List<List<Integer>> answers(DecodingSession session) throws Exception {
        List<GreedyRequest> requests = requests();
        new BatchDecoder(session, true).run(requests, r -> {});
        return requests.stream().map(r -> r.tokens).toList();
    }

    @Test
    void promptsStartedMidFlightGetTheTokensTheyGetAlone() throws Exception {
        try (LlamaWeights w = RandomModels.stories()) {
            List<List<Integer>> alone = new ArrayList<>();
            for (GreedyRequest r : requests()) {
                new BatchDecoder(new LlamaSession(w, TestPool.TWO_THREADS), false).run(List.of(r), x -> {});
                alone.add(r.tokens);
            }
            LlamaSession packing = new LlamaSession(w, TestPool.TWO_THREADS, 3); // two slots: the others start mid-flight
            DeviceSession apart = new DeviceSession(w, new CpuDevice(TestPool.TWO_THREADS), 3);
            assertTrue(packing.packsPrompts());
            assertFalse(apart.packsPrompts());
            assertEquals(alone, answers(packing), "prompts' tails in the others' step");
            assertEquals(alone, answers(apart), "prompts' tails in passes of their own");
        }
    }
}
