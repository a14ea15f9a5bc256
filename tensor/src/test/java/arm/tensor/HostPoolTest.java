package arm.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cap on all threads' pools together: arrays past it go to the GC, a cleared pool frees it. */
class HostPoolTest {
    private long oldCap;

    @BeforeEach
    void smallCap() {
        HostPool.clear();
        oldCap = HostPool.cap(1_000);
    }

    @AfterEach
    void restore() {
        HostPool.clear();
        HostPool.cap(oldCap);
    }

    @Test
    void arraysPastTheCapOfAllThreadsGoToTheGc() throws InterruptedException {
        HostPool.give(new float[600]);
        assertThat(HostPool.pooledFloats()).isEqualTo(600);
        long[] other = new long[2];
        Thread t =
                new Thread(
                        () -> {
                            HostPool.give(new float[600]); // 1,200 > 1,000: refused
                            other[0] = HostPool.pooledFloats();
                            HostPool.give(new float[400]); // exactly 1,000: kept
                            other[1] = HostPool.pooledFloats();
                            HostPool.clear();
                        });
        t.start();
        t.join();
        assertThat(other).containsExactly(0, 400);
        HostPool.give(new float[400]); // the other thread's clear gave its 400 back
        assertThat(HostPool.pooledFloats()).isEqualTo(1_000);
    }

    @Test
    void takingAnArrayAndClearingFreeTheirShare() {
        HostPool.give(new float[700]);
        assertThat(HostPool.take(700, true)).hasSize(700);
        HostPool.give(new float[900]); // the 700 taken out no longer count
        assertThat(HostPool.pooledFloats()).isEqualTo(900);
        HostPool.clear();
        HostPool.give(new float[1_000]);
        assertThat(HostPool.pooledFloats()).isEqualTo(1_000);
    }
}
