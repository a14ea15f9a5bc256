package arm.tensor;

/**
 * Recording a backend's queued work once and replaying it (CUDA graphs). Between {@link #begin} and
 * {@link #end} the backend queues nothing: it records. What the host code does in between is not
 * repeated by a replay, so every value that changes from call to call must live in device memory,
 * and any host wait (a download, an upload, a sync) makes capture fail. Tensors freed during
 * capture stay allocated, owned by the graph (its pool), because the graph keeps their addresses;
 * {@link Graph#close} releases them.
 */
public interface GraphCapture {
    /** Starts recording on this thread's stream. */
    void begin();

    /** Stops recording and returns the graph, ready to launch. */
    Graph end();

    /** Stops a capture that failed; whatever was recorded is dropped (its pool released). */
    void abort();

    /** A recorded graph. */
    interface Graph extends AutoCloseable {
        /** Queues the recorded work once more, on the same tensors. */
        void launch();

        /** Releases the graph and its pool. */
        @Override
        void close();
    }
}
