package arm.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * JMH profiler: CPU time of the benchmark JVM per operation, next to JMH's wall-clock score.
 *
 * <p>On a machine that other jobs keep busy, wall time counts the time our thread waited for a
 * core; CPU time does not (cache pollution from the others still shows). After warm-up the JIT and
 * GC threads are idle, so for a single-threaded benchmark this is the benchmark thread's time. Use:
 * {@code java -jar benchmarks.jar GemmBench -prof arm.bench.CpuTimeProfiler}; the result appears as
 * {@code ·cpu} in µs/op.
 */
public final class CpuTimeProfiler implements InternalProfiler {
    private long cpuStart;

    @Override
    public String getDescription() {
        return "process CPU time per operation (robust to waiting for a core on a loaded machine)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
        cpuStart = processCpuNanos();
    }

    @Override
    public Collection<? extends Result> afterIteration(
            BenchmarkParams benchmark, IterationParams iteration, IterationResult result) {
        double cpuMicros = (processCpuNanos() - cpuStart) / 1e3;
        long ops = Math.max(1, result.getMetadata().getAllOps());
        return List.of(new ScalarResult("cpu", cpuMicros / ops, "us/op", AggregationPolicy.AVG));
    }

    private static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
