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
    ADD_SCALAR
}
