package arm.method;

import static org.assertj.core.api.Assertions.assertThat;

import arm.data.ContinualData;
import arm.data.Dataset;
import arm.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Against the GEM authors' code (gem-code.json, written by scripts/gem-code/fixture.py from their
 * model/gem.py and model/icarl.py): GEM trained from the same weights on the same 15 batches ends
 * every task with the same weights to {@link #TOLERANCE}, and so does iCaRL against their icarl.py
 * patched to a shared head; our herding picks their exemplars, in their order, from the features
 * their herding ranked; our nearest-mean rule makes their predictions from the same features.
 */
class GemCodeParityTest {
    /**
     * Largest weight difference allowed (measured: GEM 7.5e-8, iCaRL 3.0e-8; float32 sums in
     * another order).
     */
    static final double TOLERANCE = 1e-6;

    static JsonNode fixture() throws IOException {
        try (InputStream in = GemCodeParityTest.class.getResourceAsStream("gem-code.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static ContinualData data(JsonNode f) {
        int d = f.get("inputs").asInt(), n = f.get("labels").size();
        byte[] px = new byte[n * d];
        int[] labels = new int[n], stream = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++)
                px[i * d + j] = (byte) f.get("pixels").get(i).get(j).asInt();
            labels[i] = f.get("labels").get(i).asInt();
            stream[i] = i;
        }
        Dataset train = new Dataset("gem-code", px, labels, new int[] {d});
        int[] few = {0, 60, 120};
        return new ContinualData(
                train,
                stream,
                train.subset("val", few),
                train.subset("test", few),
                f.get("classes").asInt(),
                2,
                f.get("batch").asInt());
    }

    @Test
    void gemEndsEveryTaskWithTheirWeights() throws IOException {
        JsonNode f = fixture(), gem = f.get("gem");
        assertThat(gem.get("projections").asInt()).isPositive(); // their run did project
        Method m =
                Methods.create(
                        "GEM",
                        Map.of(
                                "mlp_hidden", f.get("hidden").asText(),
                                "mem", Integer.toString(3 * gem.get("memPerTask").asInt()),
                                "lr", gem.get("lr").asText(),
                                "margin", gem.get("margin").asText()));
        double worst = worstAfterTasks(m, f, gem.get("afterTask"));
        assertThat(worst).as("largest weight difference").isLessThan(TOLERANCE);
    }

    /**
     * Their iCaRL with its task offsets patched to the whole output layer (a shared head) and one
     * exemplar per class: CE on the batch, distillation on the stored logits from task 1 on,
     * herding at the end of task 0. Ours (iters 1, λ 1; their memory_strength 3 is the same weight,
     * ALGORITHM.md §13.2) ends tasks 0 and 1 with their weights.
     */
    @Test
    void icarlOnASharedHeadEndsTasksWithTheirWeights() throws IOException {
        JsonNode f = fixture(), run = f.get("icarlRun");
        Method m =
                Methods.create(
                        "iCaRL",
                        Map.of(
                                "mlp_hidden", f.get("hidden").asText(),
                                "mem", run.get("mem").asText(),
                                "iters", "1",
                                "lambda", run.get("lambda").asText(),
                                "lr", run.get("lr").asText()));
        assertThat(worstAfterTasks(m, f, run.get("afterTask"))).isLessThan(TOLERANCE);
    }

    /**
     * Trains {@code m} from the fixture's weights; the largest difference at the task ends given.
     */
    static double worstAfterTasks(Method m, JsonNode f, JsonNode afterTask) {
        Stepper run = Stepper.create(m, data(f), 0);
        int i = 0;
        for (Parameter p : run.model().namedParameters().values()) {
            float[] v = p.value().data();
            for (int j = 0; j < v.length; j++) v[j] = (float) f.get("init").get(i++).asDouble();
        }
        int per = f.get("batchesPerTask").asInt();
        double worst = 0;
        for (int t = 0; t < afterTask.size() * per; t++) {
            run.train(t);
            if ((t + 1) % per != 0) continue;
            JsonNode want = afterTask.get(t / per);
            float[] got = weights(run);
            assertThat(got).hasSize(want.size());
            for (int j = 0; j < got.length; j++)
                worst = Math.max(worst, Math.abs(got[j] - want.get(j).asDouble()));
        }
        return worst;
    }

    @Test
    void herdingAndNearestMeanMatchTheirIcarl() throws IOException {
        for (JsonNode ev : fixture().get("icarl")) {
            int m = ev.get("m").asInt(), task = ev.get("task").asInt();
            for (JsonNode c : ev.get("classes")) {
                float[][] phi = rows(c.get("features"));
                int[] picked = new int[c.get("picked").size()];
                for (int i = 0; i < picked.length; i++) picked[i] = c.get("picked").get(i).asInt();
                assertThat(Herding.select(phi, m))
                        .as("class " + c.get("label"))
                        .containsExactly(picked);
            }
            float[][] q = rows(ev.get("queries"));
            int k = q[0].length;
            float[] means = new float[k * k], flat = new float[q.length * k];
            boolean[] present = new boolean[k];
            for (var e :
                    (Iterable<Map.Entry<String, JsonNode>>) ev.get("exemplarFeatures")::fields) {
                int c = Integer.parseInt(e.getKey());
                float[][] ex = rows(e.getValue());
                present[c] = true;
                for (float[] r : ex)
                    for (int j = 0; j < k; j++) means[c * k + j] += r[j] / ex.length;
            }
            for (int r = 0; r < q.length; r++) System.arraycopy(q[r], 0, flat, r * k, k);
            float[] s = Herding.nearestMean(flat, q.length, means, present);
            for (int r = 0; r < q.length; r++)
                assertThat(argmax(s, r * k, k))
                        .as("task " + task + " query " + r)
                        .isEqualTo(ev.get("predicted").get(r).asInt());
        }
    }

    static float[] weights(Stepper run) {
        int n = 0;
        for (Parameter p : run.model().namedParameters().values()) n += p.numel();
        float[] out = new float[n];
        int off = 0;
        for (Parameter p : run.model().namedParameters().values()) {
            System.arraycopy(p.value().toArray(), 0, out, off, p.numel());
            off += p.numel();
        }
        return out;
    }

    static int argmax(float[] z, int off, int k) {
        int best = 0;
        for (int i = 1; i < k; i++) if (z[off + i] > z[off + best]) best = i;
        return best;
    }

    static float[][] rows(JsonNode a) {
        float[][] out = new float[a.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new float[a.get(i).size()];
            for (int j = 0; j < out[i].length; j++) out[i][j] = (float) a.get(i).get(j).asDouble();
        }
        return out;
    }
}
