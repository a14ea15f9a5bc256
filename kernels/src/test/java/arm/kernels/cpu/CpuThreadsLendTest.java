package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A core lent to background work ({@link CpuThreads#lend}): while the body runs, the other threads
 * see one core less ({@link CpuThreads#free}) and, with two cores or fewer, run their kernels
 * serially; afterwards they split again. The body's own kernels are serial throughout.
 */
class CpuThreadsLendTest {

    @Test
    void aLentCoreIsTakenFromTheOthersUntilTheBodyReturns() throws Exception {
        int threads = CpuThreads.threads();
        assertThat(CpuThreads.free()).isEqualTo(threads);
        CountDownLatch inside = new CountDownLatch(1), leave = new CountDownLatch(1);
        boolean[] bodySerial = new boolean[1];
        Thread background =
                new Thread(
                        () ->
                                CpuThreads.lend(
                                        () -> {
                                            bodySerial[0] = CpuThreads.serialNow();
                                            inside.countDown();
                                            try {
                                                leave.await();
                                            } catch (InterruptedException e) {
                                                Thread.currentThread().interrupt();
                                            }
                                        }));
        background.start();
        inside.await();
        try {
            assertThat(bodySerial[0]).isTrue();
            assertThat(CpuThreads.free()).isEqualTo(Math.max(1, threads - 1));
            if (threads <= 2) assertThat(CpuThreads.serialNow()).isTrue();
            else assertThat(CpuThreads.serialNow()).isFalse();
        } finally {
            leave.countDown();
            background.join();
        }
        assertThat(CpuThreads.free()).isEqualTo(threads);
        assertThat(CpuThreads.serialNow()).isEqualTo(threads == 1);
    }
}
