package org.knowcoder.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.knowcoder.model.LlamaWeights;
import org.knowcoder.model.format.Checkpoints;
import org.knowcoder.model.format.SafetensorsFile;
import org.knowcoder.model.training.LlamaParams;
import org.knowcoder.model.training.TokenBatch;
import org.knowcoder.model.training.TrainingForward;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.autograd.Tape;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The six AdamW steps of ../shared/fixtures/train: losses, learning rates, gradient norms and the weights after. */
class AdamWFixtureTest {
    @Test
    void sixStepsMatchPyTorch() throws IOException {
        Path dir = Fixtures.dir("train");
        JsonNode adamw = Fixtures.json(dir.resolve("expected.json")).get("adamw");
        JsonNode tol = Fixtures.json(dir.resolve("expected.json")).get("tolerance");
        LrSchedule schedule = new LrSchedule(adamw.get("peak_lr").asDouble(), adamw.get("warmup_steps").asInt(),
                adamw.get("total_steps").asInt(), adamw.get("min_lr_ratio").asDouble());
        AdamW opt = new AdamW(adamw.get("betas").get(0).asDouble(), adamw.get("betas").get(1).asDouble(),
                adamw.get("eps").asDouble(), adamw.get("weight_decay").asDouble());
        try (WorkerPool pool = new WorkerPool(2); LlamaWeights w = Checkpoints.load(Fixtures.dir("models/llama-tiny-gqa"));
             Arena arena = Arena.ofConfined()) {
            LlamaParams params = LlamaParams.trainable(w);
            Trainer trainer = new Trainer(new TrainingForward(params, null), Parameter.of(params), opt, schedule,
                    adamw.get("grad_clip_global_norm").asDouble(), new Tape(pool));
            for (int s = 0; s < adamw.get("batches").size(); s++) {
                TokenBatch batch = TokenBatch.of(Fixtures.ints(adamw.get("batches").get(s)), null);
                Trainer.StepResult r = trainer.step(List.of(batch));
                assertEquals(adamw.get("losses_before_each_step").get(s).asDouble(), r.loss(), tol.get("loss_abs").asDouble(), "loss " + s);
                assertEquals(adamw.get("lrs").get(s).asDouble(), r.lr(), 1e-12, "lr " + s);
                double norm = adamw.get("grad_norms_before_clip").get(s).asDouble();
                assertEquals(norm, r.gradNorm(), 1e-3 * norm, "grad norm " + s);
            }
            Map<String, Tensor> after = SafetensorsFile.read(dir.resolve("after_adamw.safetensors"), arena);
            double abs = tol.get("weights_after_abs").asDouble();
            assertEquals(after.size(), trainer.params().size());
            int steps = adamw.get("batches").size();
            double beta1 = adamw.get("betas").get(0).asDouble(), beta2 = adamw.get("betas").get(1).asDouble();
            double vHatScale = 1 - Math.pow(beta2, steps), eps = adamw.get("eps").asDouble();
            // An Adam step moves a weight by at most lr * max(1, (1 - beta1) / sqrt(1 - beta2)) (Kingma & Ba, section 2.1),
            // so two runs whose gradients differ only in noise can end at most twice the sum of those apart.
            double lrSum = 0;
            for (JsonNode lr : adamw.get("lrs")) lrSum += lr.asDouble();
            double noiseBound = 2 * lrSum * Math.max(1, (1 - beta1) / Math.sqrt(1 - beta2));
            int illConditioned = 0;
            for (Parameter p : trainer.params()) {
                float[] want = after.get(p.name()).toFloats(), got = p.var().value(), v = opt.secondMoments().get(p.name());
                for (int i = 0; i < want.length; i++) {
                    double err = Math.abs(want[i] - got[i]);
                    if (err <= abs) continue;
                    // Where sqrt(v_hat) is near eps, Adam's update depends on gradient bits below F32 noise
                    // (|g| ~ 1e-9 with errors of that size in both implementations, which sum in different
                    // orders): allowed up to the noise bound, and only rarely.
                    assertTrue(Math.sqrt(v[i] / vHatScale) < 10 * eps && err <= noiseBound,
                            p.name() + "[" + i + "]: expected " + want[i] + ", got " + got[i]);
                    illConditioned++;
                }
            }
            assertTrue(illConditioned <= 2, illConditioned + " ill-conditioned weights");
        }
    }
}
