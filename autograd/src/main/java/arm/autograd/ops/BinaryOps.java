package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.Binary;
import arm.tensor.Shape;
import arm.tensor.Tensor;
import arm.tensor.Unary;

/**
 * The four broadcasting arithmetic primitives, y = a ∘ b with a, b broadcast to y's shape.
 *
 * <pre>
 * add: da = Σ↓ dy          db = Σ↓ dy
 * sub: da = Σ↓ dy          db = −Σ↓ dy
 * mul: da = Σ↓ (dy·b)      db = Σ↓ (dy·a)
 * div: da = Σ↓ (dy / b)    db = −Σ↓ (dy·y / b)     (y = a / b)
 * </pre>
 *
 * Σ↓ sums over the dimensions the input was broadcast in ({@link Backend#sumTo}).
 */
public final class BinaryOps {
    private BinaryOps() {}

    public static Var apply(Binary op, Var a, Var b) {
        Backend be = Node.backendOf(a.value);
        Tensor y = be.empty(Shape.broadcast(a.shape(), b.shape()));
        be.binary(op, a.value, b.value, y);
        return Node.record(y, new BinaryNode(op, a, b, y));
    }

    static final class BinaryNode extends Node {
        final Binary op;
        final Tensor y; // read by div's backward only

        BinaryNode(Binary op, Var a, Var b, Tensor y) {
            super(a, b);
            this.op = op;
            this.y = y;
        }

        @Override
        protected void backward(Tensor dy, Gradients g) {
            Var a = inputs[0], b = inputs[1];
            Backend be = backendOf(dy);
            if (g.needs(a)) {
                Tensor da =
                        switch (op) {
                            case ADD, SUB -> dy;
                            case MUL -> product(be, dy, b.value, Binary.MUL);
                            case DIV -> product(be, dy, b.value, Binary.DIV);
                        };
                g.add(a, reduce(be, da, a.value.shape, da == dy, g));
            }
            if (g.needs(b)) {
                Tensor db =
                        switch (op) {
                            case ADD -> dy;
                            case SUB -> negate(be, dy);
                            case MUL -> product(be, dy, a.value, Binary.MUL);
                            case DIV ->
                                    negate(
                                            be,
                                            product(
                                                    be,
                                                    product(be, dy, y, Binary.MUL),
                                                    b.value,
                                                    Binary.DIV));
                        };
                g.add(b, reduce(be, db, b.value.shape, db == dy, g));
            }
        }
    }

    private static Tensor product(Backend be, Tensor x, Tensor z, Binary op) {
        Tensor out = be.empty(x.shape);
        be.binary(op, x, z, out);
        return out;
    }

    private static Tensor negate(Backend be, Tensor x) {
        Tensor out = be.empty(x.shape);
        be.unary(Unary.NEG, x, 0f, out);
        return out;
    }

    /**
     * Σ↓ to the input's shape; always returns a tensor the caller may hand over. A borrowed d (the
     * output gradient itself) is handed over uncopied once, when the pass owns it ({@link
     * Gradients#claim}): add's first input takes dy, the second a copy.
     */
    private static Tensor reduce(Backend be, Tensor d, int[] shape, boolean borrowed, Gradients g) {
        if (Shape.same(d.shape, shape) && (!borrowed || g.claim(d))) return d;
        Tensor out = be.empty(shape);
        be.sumTo(d, out);
        return out;
    }
}
