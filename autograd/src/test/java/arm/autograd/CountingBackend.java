package arm.autograd;

import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.BatchNormArgs;
import arm.tensor.Binary;
import arm.tensor.Device;
import arm.tensor.LogitWeights;
import arm.tensor.Shape;
import arm.tensor.Tensor;
import arm.tensor.Unary;
import java.util.ArrayList;
import java.util.List;

/**
 * A Backend that forwards to another and logs the compute calls as "name [output shape]", so tests
 * can show which work a backward pass did (e.g. no weight-gradient GEMM when only dX is asked for).
 *
 * <pre>
 * try (CountingBackend cb = CountingBackend.install()) { …; cb.calls … }
 * </pre>
 */
public final class CountingBackend implements Backend, AutoCloseable {
    public final List<String> calls = new ArrayList<>();
    private final Backend inner;

    private CountingBackend(Backend inner) {
        this.inner = inner;
    }

    /** Replaces the backend of inner's device until {@link #close}. */
    public static CountingBackend install() {
        return installOver(Backends.cpu());
    }

    /**
     * Counts the calls to {@code inner} (e.g. the {@link FakeDevice}'s backend, so that device
     * paths are counted), in its device's place until {@link #close}.
     */
    public static CountingBackend installOver(Backend inner) {
        CountingBackend cb = new CountingBackend(inner);
        Backends.set(cb);
        return cb;
    }

    @Override
    public void close() {
        Backends.set(inner);
    }

    /** Calls named {@code name} (e.g. "gemm"), as "name [shape]" strings. */
    public List<String> named(String name) {
        return calls.stream().filter(c -> c.startsWith(name + " ")).toList();
    }

    private void log(String name, Tensor out) {
        calls.add(name + " " + (out == null ? "-" : Shape.str(out.shape)));
    }

    @Override
    public Device device() {
        return inner.device();
    }

    @Override
    public String describe() {
        return "counting " + inner.describe();
    }

    @Override
    public Tensor zeros(int... shape) {
        return inner.zeros(shape);
    }

    @Override
    public Tensor upload(float[] host, int... shape) {
        return inner.upload(host, shape);
    }

    @Override
    public float[] download(Tensor t) {
        return inner.download(t);
    }

    @Override
    public void fill(Tensor out, float value) {
        inner.fill(out, value);
    }

    @Override
    public void copy(Tensor src, Tensor out) {
        log("copy", out);
        inner.copy(src, out);
    }

    @Override
    public void unary(Unary op, Tensor x, float alpha, Tensor out) {
        log("unary", out);
        inner.unary(op, x, alpha, out);
    }

    @Override
    public void unaryBackward(Unary op, Tensor x, Tensor y, Tensor dy, float alpha, Tensor dx) {
        log("unaryBackward", dx);
        inner.unaryBackward(op, x, y, dy, alpha, dx);
    }

    @Override
    public void binary(Binary op, Tensor a, Tensor b, Tensor out) {
        log("binary", out);
        inner.binary(op, a, b, out);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        log("axpy", y);
        inner.axpy(alpha, x, y);
    }

    @Override
    public void gemm(
            boolean ta, boolean tb, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        log("gemm", c);
        inner.gemm(ta, tb, alpha, a, b, beta, c);
    }

    @Override
    public void sumTo(Tensor x, Tensor out) {
        log("sumTo", out);
        inner.sumTo(x, out);
    }

    @Override
    public void maxLastAxis(Tensor x, Tensor values, int[] argmax) {
        log("maxLastAxis", values);
        inner.maxLastAxis(x, values, argmax);
    }

    @Override
    public void softmax(Tensor x, boolean log, Tensor out) {
        log("softmax", out);
        inner.softmax(x, log, out);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, boolean log, Tensor dx) {
        log("softmaxBackward", dx);
        inner.softmaxBackward(y, dy, log, dx);
    }

    @Override
    public void gatherLastAxis(Tensor x, int[] index, Tensor out) {
        log("gather", out);
        inner.gatherLastAxis(x, index, out);
    }

    @Override
    public void scatterAddLastAxis(Tensor dOut, int[] index, Tensor dx) {
        log("scatterAdd", dx);
        inner.scatterAddLastAxis(dOut, index, dx);
    }

    @Override
    public void permute(Tensor x, int[] perm, Tensor out) {
        log("permute", out);
        inner.permute(x, perm, out);
    }

    @Override
    public void copyAlongAxis(
            Tensor src, int axis, int srcStart, Tensor dst, int dstStart, int length) {
        log("copyAlongAxis", dst);
        inner.copyAlongAxis(src, axis, srcStart, dst, dstStart, length);
    }

    @Override
    public void conv2d(Tensor x, Tensor w, int stride, int pad, Tensor y) {
        log("conv2d", y);
        inner.conv2d(x, w, stride, pad, y);
    }

    @Override
    public void conv2dBackwardInput(Tensor dy, Tensor w, int stride, int pad, Tensor dx) {
        log("conv2dBackwardInput", dx);
        inner.conv2dBackwardInput(dy, w, stride, pad, dx);
    }

    @Override
    public void convTranspose2d(Tensor x, Tensor w, int stride, int pad, Tensor y) {
        log("convTranspose2d", y);
        inner.convTranspose2d(x, w, stride, pad, y);
    }

    @Override
    public void conv2dBackwardWeight(Tensor x, Tensor dy, int stride, int pad, Tensor dw) {
        log("conv2dBackwardWeight", dw);
        inner.conv2dBackwardWeight(x, dy, stride, pad, dw);
    }

    @Override
    public void imagePrior(
            Tensor x,
            int c,
            int h,
            int w,
            int[] counts,
            float l5,
            float l6,
            Tensor out,
            Tensor rL2,
            Tensor rTV) {
        log("imagePrior", out);
        inner.imagePrior(x, c, h, w, counts, l5, l6, out, rL2, rTV);
    }

    @Override
    public void imagePriorBackward(
            Tensor x, int c, int h, int w, int[] counts, float l5, float l6, Tensor dy, Tensor dx) {
        log("imagePriorBackward", dx);
        inner.imagePriorBackward(x, c, h, w, counts, l5, l6, dy, dx);
    }

    @Override
    public void logitTerms(
            Tensor a,
            Tensor b,
            int[] mask,
            int[] counts,
            LogitWeights w,
            Tensor out,
            Tensor[] terms,
            Tensor colMean) {
        log("logitTerms", out);
        inner.logitTerms(a, b, mask, counts, w, out, terms, colMean);
    }

    @Override
    public void logitTermsBackward(
            Tensor a,
            Tensor b,
            int[] mask,
            int[] counts,
            LogitWeights w,
            Tensor colMean,
            Tensor dy,
            Tensor da,
            Tensor db) {
        log("logitTermsBackward", da != null ? da : db);
        inner.logitTermsBackward(a, b, mask, counts, w, colMean, dy, da, db);
    }

    @Override
    public void batchNorm(BatchNormArgs a, Tensor x, boolean relu, Tensor y) {
        log(a.training() ? "batchNormTrain" : "batchNormEval", y);
        inner.batchNorm(a, x, relu, y);
    }

    @Override
    public void batchNormBackward(
            BatchNormArgs a,
            Tensor x,
            Tensor reluOut,
            Tensor dy,
            Tensor dx,
            Tensor dGamma,
            Tensor dBeta) {
        calls.add(
                "batchNormBackward dx="
                        + (dx != null)
                        + " dGamma="
                        + (dGamma != null)
                        + " dBeta="
                        + (dBeta != null));
        inner.batchNormBackward(a, x, reluOut, dy, dx, dGamma, dBeta);
    }

    @Override
    public void avgPool2d(Tensor x, int k, int stride, Tensor y) {
        log("avgPool2d", y);
        inner.avgPool2d(x, k, stride, y);
    }

    @Override
    public void avgPool2dBackward(Tensor dy, int k, int stride, Tensor dx) {
        log("avgPool2dBackward", dx);
        inner.avgPool2dBackward(dy, k, stride, dx);
    }
}
