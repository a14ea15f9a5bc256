package arm.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuGraphDestroy;
import static jcuda.driver.JCudaDriver.cuGraphExecDestroy;
import static jcuda.driver.JCudaDriver.cuGraphInstantiate;
import static jcuda.driver.JCudaDriver.cuGraphLaunch;

import arm.tensor.GraphCapture;
import java.util.List;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;

/**
 * CUDA graphs on the device's stream: cuStreamBeginCapture / cuStreamEndCapture /
 * cuGraphInstantiate / cuGraphLaunch (JCuda 12.6 binds no cuGraphExecUpdate: a new shape means a
 * new graph). Blocks freed during capture form the graph's pool and go back to the allocator when
 * the graph closes. A synchronous copy during capture makes the driver fail the capture, and {@link
 * arm.tensor.CapturedStep} falls back to eager.
 */
final class CudaGraphs implements GraphCapture {
    private final CudaDevice dev;
    private final DeviceInts<?> ints;

    CudaGraphs(CudaDevice dev, DeviceInts<?> ints) {
        this.dev = dev;
        this.ints = ints;
    }

    @Override
    public void begin() {
        dev.beginCapture();
        ints.record(); // the index copies the graph bakes in stay held while it lives
    }

    @Override
    @SuppressWarnings("unchecked")
    public Graph end() {
        List<Object> held = ints.recorded();
        Object[] r = dev.endCapture();
        CUgraph g = (CUgraph) r[0];
        List<Object[]> pool = (List<Object[]>) r[1];
        CUgraphExec exec = new CUgraphExec();
        try {
            cuGraphInstantiate(exec, g, 0);
        } catch (RuntimeException e) {
            cuGraphDestroy(g);
            dev.releasePool(pool);
            throw e;
        }
        dev.graphOpened();
        ints.hold(held);
        return new Graph() {
            private boolean closed;

            @Override
            public void launch() {
                dev.counted();
                cuGraphLaunch(exec, dev.stream);
            }

            @Override
            public void close() {
                if (closed) return;
                closed = true;
                dev.sync(); // the graph's last launch must finish before its pool is reused
                cuGraphExecDestroy(exec);
                cuGraphDestroy(g);
                dev.releasePool(pool);
                dev.graphClosed();
                ints.release(held);
            }
        };
    }

    @Override
    public void abort() {
        ints.recorded();
        try {
            Object[] r = dev.endCapture(); // ends the (invalidated) capture; releases the pool on
            // failure
            if (r[0] != null) cuGraphDestroy((CUgraph) r[0]);
            @SuppressWarnings("unchecked")
            List<Object[]> pool = (List<Object[]>) r[1];
            dev.releasePool(pool);
        } catch (RuntimeException e) {
            // the driver already ended it; the pool was released by endCapture
        }
    }
}
