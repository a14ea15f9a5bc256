package arm.run;

/**
 * A NaN or ±Inf in a loss, a gradient or the recalled inputs. The run stops at once, before the
 * value can reach the weights; its checkpoints and the results of other runs stay. The message
 * names the method, the iteration and the term, e.g. "ARM iteration 1234: recall loss R is NaN;
 * first non-finite term: λ6·R_TV (total variation)".
 */
public final class NumericalException extends RuntimeException {
    public final String method;
    public final int iteration;
    public final String term;

    public NumericalException(String term, String detail) {
        this(null, -1, term, detail);
    }

    private NumericalException(String method, int iteration, String term, String detail) {
        super((method == null ? "" : method + " iteration " + iteration + ": ") + detail);
        this.method = method;
        this.iteration = iteration;
        this.term = term;
    }

    /** The same failure, located. */
    public NumericalException at(String method, int iteration) {
        String detail = getMessage();
        return new NumericalException(method, iteration, term, detail);
    }
}
