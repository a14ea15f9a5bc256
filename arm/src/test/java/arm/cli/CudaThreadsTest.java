package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Runs on the GPU share one stream and one cuBLAS/cuDNN handle: --threads > 1 with --device cuda is
 * refused.
 */
class CudaThreadsTest {
    @Test
    void moreThanOneThreadOnCudaIsRefusedInOneLine() {
        RunOptions o = new RunOptions();
        o.threads = 2;
        assertThatThrownBy(() -> o.threads(4, "cuda"))
                .isInstanceOf(UsageError.class)
                .hasMessage(
                        "--threads 2 with --device cuda: runs on the GPU share one stream and one"
                            + " cuBLAS/cuDNN handle, so they run one after another; use --threads"
                            + " 1")
                .message()
                .doesNotContain("\n");
        assertThat(o.threads(4, "cpu")).isEqualTo(2);
        assertThat(o.threads(4, null)).isEqualTo(2);
    }

    @Test
    void cudaRunsOneAtATimeByDefault() {
        RunOptions o = new RunOptions();
        assertThat(o.threads(4, "cuda")).isEqualTo(1);
        o.threads = 1;
        assertThat(o.threads(4, "cuda")).isEqualTo(1);
    }
}
