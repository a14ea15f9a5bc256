package arm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import arm.io.StrictJson;
import arm.nn.Linear;
import arm.nn.Mlp;
import arm.nn.Parameter;
import arm.nn.TorchRandom;
import arm.replica.NumpyRandom;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The authors' random streams (rng = authors) value by value against torch 1.13 and numpy, from a
 * fixture made by scripts/torch-streams/golden.py with the authors' own data and model code: the
 * generator's draws, and whole MNIST-5k-5 runs (their stream, val set, initial weights and where
 * numpy's stream stands) for ARM's run id 6579 and the stationary baseline's 4947. The whole-run
 * checks need the real MNIST files (CI fetches them).
 */
class TorchStreamsTest {
    static JsonNode golden;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in =
                TorchStreamsTest.class.getResourceAsStream("/arm/torch-streams.json")) {
            golden = StrictJson.MAPPER.readTree(in);
        }
    }

    static float[] floats(JsonNode a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) a.get(i).asDouble();
        return out;
    }

    static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }

    @Test
    void linearInitIsTorchsBitForBit() {
        JsonNode g = golden.get("generator").get("linear7to5");
        Linear l = new Linear(7, 5, new TorchRandom(g.get("seed").asLong()));
        assertThat(l.weight.value().toArray()).containsExactly(floats(g.get("weight")));
        assertThat(l.bias.value().toArray()).containsExactly(floats(g.get("bias")));
    }

    @Test
    void randpermAndInt64SeedsAreTorchs() {
        JsonNode g = golden.get("generator").get("randperm");
        TorchRandom r = new TorchRandom(g.get("seed").asLong());
        for (int i = 0; i < g.get("n").size(); i++)
            assertThat(r.randperm(g.get("n").get(i).asInt()))
                    .containsExactly(ints(g.get("perms").get(i)));
        JsonNode s = golden.get("generator").get("int64");
        TorchRandom q = new TorchRandom(s.get("seed").asLong());
        for (JsonNode v : s.get("values")) assertThat(q.randomInt64()).isEqualTo(v.asLong());
    }

    @Test
    void numpyChoicesAreNumpys() {
        JsonNode g = golden.get("numpy");
        NumpyRandom np = new NumpyRandom(0);
        np.permutation(3003);
        np.permutation(10000);
        for (JsonNode p : g.get("afterValTest"))
            assertThat(np.choice(10, 10)).containsExactly(ints(p));
        assertThat(np.choice(4, 10)).containsExactly(ints(g.get("adiClasses4")));
        assertThat(np.choice(10, 10)).containsExactly(ints(g.get("adiRows")));
    }

    @Test
    void wholeRunsAreTheAuthors() throws Exception {
        java.nio.file.Path dir = Mnist5kRealDataTest.dataDir();
        boolean present = Idx.find(dir, Mnist.TRAIN_IMAGES) != null;
        if (!present)
            System.err.println(
                    "SKIPPED TorchStreamsTest.wholeRunsAreTheAuthors: no MNIST at " + dir);
        Assumptions.assumeTrue(present, "no MNIST at " + dir);
        Mnist.Raw raw = Mnist.load(dir);
        for (JsonNode run : golden.get("runs")) {
            long id = run.get("runId").asLong();
            boolean stationary = run.get("stationary").asBoolean();
            ContinualData d =
                    Mnist5k.buildAuthors(
                            raw.train(),
                            raw.test(),
                            10,
                            id,
                            Mlp.torchInitDraws(784, 400, 10),
                            Mnist5k.MNIST5K.withStationary(stationary));
            int n = d.train().size();
            StringBuilder labels = new StringBuilder();
            int[] sums = new int[n];
            for (int t = 0, k = 0; t < d.numBatches(); t++)
                for (int i : d.batch(t)) {
                    labels.append(d.train().labels()[i]);
                    sums[k++] = pixelSum(d.train(), i);
                }
            assertThat(labels.toString())
                    .as("run %d stream labels", id)
                    .isEqualTo(run.get("labels").asText());
            assertThat(sums)
                    .as("run %d stream images", id)
                    .containsExactly(ints(run.get("pixelSums")));
            int[] val = new int[d.val().size()];
            for (int i = 0; i < val.length; i++) val[i] = pixelSum(d.val(), i);
            Arrays.sort(val);
            assertThat(val)
                    .as("run %d val images", id)
                    .containsExactly(ints(run.get("valPixelSums")));

            Mlp model = new Mlp(784, 400, 10, new TorchRandom(id));
            Map<String, String> names =
                    Map.of("hidden.0", "fc1", "hidden.2", "fc2", "linear", "fc3");
            var it = run.get("params").fields();
            while (it.hasNext()) {
                var e = it.next();
                String[] parts = e.getKey().split("\\.(?=[a-z]+$)");
                Parameter p = model.namedParameters().get(names.get(parts[0]) + "." + parts[1]);
                float[] v = p.value().toArray();
                double sum = 0, abs = 0;
                for (float x : v) {
                    sum += x;
                    abs += Math.abs(x);
                }
                JsonNode g = e.getValue();
                assertThat(Arrays.copyOf(v, 4))
                        .as("run %d %s", id, e.getKey())
                        .containsExactly(floats(g.get("first")));
                assertThat(v[v.length - 1]).isEqualTo((float) g.get("last").asDouble());
                assertThat(sum).isCloseTo(g.get("sum").asDouble(), within(1e-6));
                assertThat(abs).isCloseTo(g.get("abs").asDouble(), within(1e-6));
            }

            NumpyRandom np =
                    new NumpyRandom(0); // where their numpy stream stands when training starts
            if (stationary) np.permutation(n);
            np.permutation(d.val().size());
            np.permutation(d.test().size());
            assertThat(np.interval(Integer.MAX_VALUE - 2))
                    .as("run %d numpy", id)
                    .isEqualTo(run.get("numpyNext").asInt());
        }
    }

    private static int pixelSum(Dataset ds, int i) {
        int d = ds.itemSize(), s = 0;
        for (int j = 0; j < d; j++) s += ds.pixels()[i * d + j] & 0xFF;
        return s;
    }
}
