package arm.tensor;

/** Elementwise binary primitives with broadcasting. */
public enum Binary {
    ADD,
    SUB,
    MUL,
    DIV
}
