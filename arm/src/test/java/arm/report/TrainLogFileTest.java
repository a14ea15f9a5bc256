package arm.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.run.LossLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train-log.csv: written, resumed, read back; truncated and corrupted files give one-line errors.
 */
class TrainLogFileTest {
    @TempDir Path tmp;

    private Path written(int rows) {
        Path f = tmp.resolve("runs/ARM-run0/" + TrainLogFile.NAME);
        List<String> warnings = new ArrayList<>();
        TrainLogFile log = new TrainLogFile(f, 1, warnings::add);
        log.restart(0);
        double[] v = new double[LossLog.COLUMNS.size()];
        for (int t = 0; t < rows; t++) {
            java.util.Arrays.fill(v, Double.NaN);
            v[0] = 2.5 - 0.1 * t; // step A
            log.row(t, 0, 0.05f, t * 0.01, v);
        }
        log.close();
        assertThat(warnings).isEmpty();
        return f;
    }

    @Test
    void readsBackWhatWasWrittenAndResumeDropsRowsFromItsT() throws IOException {
        Path f = written(5);
        TrainLogFile.Curves c = TrainLogFile.read(f);
        assertThat(c.t()).containsExactly(0, 1, 2, 3, 4);
        assertThat(c.columns().get(3)).isEqualTo("step_a");
        assertThat(c.values()[3][4]).isCloseTo(2.1, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(c.values()[4][0]).isNaN(); // step_b: empty cell

        TrainLogFile again = new TrainLogFile(f, 1, s -> {});
        again.restart(3);
        again.close();
        assertThat(TrainLogFile.read(f).t()).containsExactly(0, 1, 2);
    }

    @Test
    void aTruncatedLogNamesFileAndLine() throws IOException {
        Path f = written(3);
        String text = Files.readString(f);
        Files.writeString(f, text.substring(0, text.length() - 12)); // the last row cut short
        assertThatThrownBy(() -> TrainLogFile.read(f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("line 4")
                .hasMessageNotContaining("\n");
        Files.writeString(f, "t,ta");
        assertThatThrownBy(() -> TrainLogFile.read(f))
                .hasMessageContaining(f.toString())
                .hasMessageContaining("line 1 is not the training log header");
    }

    @Test
    void aCorruptedLogNamesFileAndLineWithoutQuotingIt() throws IOException {
        Path f = written(3);
        String text = Files.readString(f).replaceFirst("\n1,0,", "\n1,\u0007evil,");
        Files.writeString(f, text);
        assertThatThrownBy(() -> TrainLogFile.read(f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("line 3 holds a field that is not a number")
                .hasMessageNotContaining("evil");
    }
}
