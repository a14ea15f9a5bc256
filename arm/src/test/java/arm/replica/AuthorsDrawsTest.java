package arm.replica;

import static org.assertj.core.api.Assertions.assertThat;

import arm.data.ContinualData;
import arm.data.Idx;
import arm.data.Mnist;
import arm.data.Mnist5k;
import arm.data.Mnist5kRealDataTest;
import arm.io.StrictJson;
import arm.nn.Mlp;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * rng = authors against the authors' own training loops: the first np.random.choice results that
 * their ADI.py (run 6232: classes, then rows, at t = 100, 101, 102) and ARM.py (run 6579: rows)
 * draw, recorded by scripts/torch-streams/golden.py, equal {@link NumpyDraws} on the same run's
 * data. Needs the real MNIST files (CI fetches them).
 */
class AuthorsDrawsTest {

    @Test
    void adiAndArmDrawWhatTheAuthorsLoopsDraw() throws Exception {
        Path dir = Mnist5kRealDataTest.dataDir();
        boolean present = Idx.find(dir, Mnist.TRAIN_IMAGES) != null;
        if (!present) System.err.println("SKIPPED AuthorsDrawsTest: no MNIST at " + dir);
        Assumptions.assumeTrue(present, "no MNIST at " + dir);
        JsonNode golden;
        try (InputStream in =
                AuthorsDrawsTest.class.getResourceAsStream("/arm/torch-streams.json")) {
            golden = StrictJson.MAPPER.readTree(in);
        }
        Mnist.Raw raw = Mnist.load(dir);
        for (String method : new String[] {"adi", "arm"}) {
            JsonNode g = golden.get(method);
            long id = g.get("runId").asLong();
            ContinualData d =
                    Mnist5k.buildAuthors(
                            raw.train(),
                            raw.test(),
                            10,
                            id,
                            Mlp.torchInitDraws(784, 400, 10),
                            Mnist5k.MNIST5K);
            boolean adi = method.equals("adi");
            NumpyDraws draws = NumpyDraws.of(d, 100, 10, 1, false, adi, true);
            int i = 0;
            for (int t = 100; i < g.get("choices").size(); t++) {
                if (adi)
                    assertThat(draws.classes(t))
                            .as("%s t %d classes", method, t)
                            .containsExactly(ints(g.get("choices").get(i++)));
                assertThat(draws.rows(t, 0))
                        .as("%s t %d rows", method, t)
                        .containsExactly(ints(g.get("choices").get(i++)));
            }
        }
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }
}
