package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.Tensor;

/**
 * Y = op(A)·op(B) for 2-D A, B (op = optional transpose), Y [M, N].
 *
 * <pre>
 * no transposes:  dA = dY·Bᵀ        dB = Aᵀ·dY
 * A transposed:   dA = B·dYᵀ        dB = A·dY
 * B transposed:   dA = dY·B         dB = dYᵀ·A
 * both:           dA = Bᵀ·dYᵀ       dB = dYᵀ·Aᵀ
 * </pre>
 *
 * Each gradient is one GEMM, run only when its input needs it (in ARM's input refinement the weight
 * gradients are never computed).
 */
public final class MatMul {
    private MatMul() {}

    public static Var apply(Var a, Var b, boolean transA, boolean transB) {
        Backend be = Node.backendOf(a.value);
        int m = transA ? a.dim(1) : a.dim(0), n = transB ? b.dim(0) : b.dim(1);
        Tensor y = be.empty(m, n);
        be.gemm(transA, transB, 1f, a.value, b.value, 0f, y);
        return Node.record(y, new MatMulNode(a, b, transA, transB));
    }

    static final class MatMulNode extends Node {
        final boolean transA, transB;

        MatMulNode(Var a, Var b, boolean transA, boolean transB) {
            super(a, b);
            this.transA = transA;
            this.transB = transB;
        }

        @Override
        protected void backward(Tensor dy, Gradients g) {
            Var a = inputs[0], b = inputs[1];
            Backend be = backendOf(dy);
            if (g.needs(a)) {
                Tensor da = be.empty(a.shape());
                if (!transA) be.gemm(false, !transB, 1f, dy, b.value, 0f, da); // dY·op(B)ᵀ
                else be.gemm(transB, true, 1f, b.value, dy, 0f, da); // op(B)·dYᵀ
                g.add(a, da);
            }
            if (g.needs(b)) {
                Tensor db = be.empty(b.shape());
                if (!transB) be.gemm(!transA, false, 1f, a.value, dy, 0f, db); // op(A)ᵀ·dY
                else be.gemm(true, transA, 1f, dy, a.value, 0f, db); // dYᵀ·op(A)
                g.add(b, db);
            }
        }
    }
}
