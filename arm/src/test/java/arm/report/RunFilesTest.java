package arm.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import arm.run.RecallRecord;
import arm.run.RunResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Side files written and read back: `plot` must see what the run recorded. */
class RunFilesTest {
    @TempDir Path tmp;

    @Test
    void recallRecordRoundTrips() throws Exception {
        float[][] probs = ChartsTest.history(5, 4);
        float[] a = {0.1f, -2.5f, 3e-4f, 7f, 0, 1, 2, 3, 4, 5, 6, 7}, b = new float[12];
        for (int i = 0; i < 12; i++) b[i] = a[i] * -1.5f + 0.25f;
        var rec =
                new RecallRecord(
                        new int[] {3, 2, 2},
                        4,
                        new int[] {10, 11, 12, 13, 14},
                        probs,
                        List.of(
                                new RecallRecord.Pair(14, 2, 1, 0.625f, a, b),
                                new RecallRecord.Pair(14, 3, 0, 0.5f, b, a)));
        var json = RunFiles.write(tmp, "ARM", 0, new RunResult(List.of(), 1, 1, rec, null, 0));
        @SuppressWarnings("unchecked")
        var r = (java.util.Map<String, Object>) json.get("recall");
        assertThat(r.get("history")).isEqualTo("runs/ARM-run0/recall-history.csv");
        RecallRecord back =
                RunFiles.readRecall(
                        tmp,
                        (String) r.get("history"),
                        (String) r.get("pairs"),
                        (String) r.get("images"),
                        new int[] {3, 2, 2});
        assertThat(back.t()).containsExactly(rec.t());
        for (int i = 0; i < 5; i++)
            for (int c = 0; c < 4; c++)
                assertThat(back.meanProbs()[i][c]).isCloseTo(probs[i][c], within(1e-6f));
        assertThat(back.pairs()).hasSize(2);
        assertThat(back.pairs().get(0).initial()).containsExactly(a); // float32 in .npy: exact
        assertThat(back.pairs().get(0).recalled()).containsExactly(b);
        assertThat(back.pairs().get(1).originator()).isEqualTo(3);
        assertThat(back.pairs().get(0).probability()).isEqualTo(0.625f);
        assertThat(RunFiles.write(tmp, "Naive", 0, new RunResult(List.of(), 1, 1))).isEmpty();
    }
}
