package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuThreads#seriallyWhile}: a thread's kernels cut their work into one part while the other
 * half is busy and into the usual number once it is done; the condition ends with the body, nests
 * under {@link CpuThreads#serially}, and every part of a split call still runs exactly once.
 */
class SeriallyWhileTest {
    @Test
    void kernelsSplitAgainOnceTheOtherHalfIsDone() {
        int usual = CpuThreads.parts(8);
        assertThat(usual).isEqualTo(Math.min(CpuThreads.threads(), 8));
        CpuThreads.Busy other = new CpuThreads.Busy();
        int[] seen = new int[4];
        boolean[] inside = new boolean[2];
        CpuThreads.seriallyWhile(
                other,
                () -> {
                    seen[0] = CpuThreads.parts(8);
                    inside[0] = CpuThreads.serialNow();
                    CpuThreads.serially(() -> seen[1] = CpuThreads.parts(8));
                    other.done();
                    seen[2] = CpuThreads.parts(8);
                    inside[1] = CpuThreads.serialNow();
                    CpuThreads.serially(() -> seen[3] = CpuThreads.parts(8));
                });
        assertThat(seen).containsExactly(1, 1, usual, 1);
        assertThat(inside).containsExactly(true, usual == 1);
        assertThat(CpuThreads.parts(8)).isEqualTo(usual);
    }

    @Test
    void aBusyConditionEndsWithItsBody() {
        CpuThreads.Busy other = new CpuThreads.Busy();
        CpuThreads.seriallyWhile(other, () -> assertThat(CpuThreads.parts(8)).isEqualTo(1));
        assertThat(CpuThreads.parts(8)).isEqualTo(Math.min(CpuThreads.threads(), 8));
    }

    @Test
    void everyPartRunsOnceEitherWay() {
        for (boolean busy : new boolean[] {true, false}) {
            CpuThreads.Busy other = new CpuThreads.Busy();
            if (!busy) other.done();
            AtomicIntegerArray runs = new AtomicIntegerArray(7);
            CpuThreads.seriallyWhile(other, () -> CpuThreads.run(7, runs::incrementAndGet));
            for (int i = 0; i < 7; i++) assertThat(runs.get(i)).as("part " + i).isEqualTo(1);
        }
    }
}
