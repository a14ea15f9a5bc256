package arm.tensor;

/** Elementwise unary primitives; alpha is the op's scalar where it has one. */
public enum Unary {
    /** −x */
    NEG,
    /** e^x */
    EXP,
    /** ln x */
    LOG,
    /** √x */
    SQRT,
    /** x^alpha */
    POW,
    /** max(x, 0) */
    RELU,
    /** max(x, alpha): the ε clamp of the diversity term; gradient 0 where clamped */
    CLAMP_MIN,
    /** alpha·x */
    SCALE,
    /** x + alpha */
    ADD_SCALAR,
    /** 1/(1 + e^−x) */
    SIGMOID,
    /** ln(1 + eˣ), and x itself above 20 (PyTorch's threshold) */
    SOFTPLUS,
    /** min(x, alpha): with CLAMP_MIN, PyTorch's clamp; gradient 0 where clamped */
    CLAMP_MAX
}
