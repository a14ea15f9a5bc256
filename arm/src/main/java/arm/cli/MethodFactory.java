package arm.cli;

import arm.method.Method;
import arm.method.Methods;
import java.util.Map;

/** How the CLI gets a configured method: {@link #PUBLISHED} in production, fakes in tests. */
@FunctionalInterface
public interface MethodFactory {
    /**
     * @throws IllegalArgumentException unknown method or option, or a bad value (one line)
     */
    Method create(String name, Map<String, String> options);

    /**
     * The method with the published defaults of {@code dataset} (mnist, cifar10, miniimagenet)
     * under {@code options}. Fakes that ignore the dataset need not override it.
     */
    default Method create(String name, String dataset, Map<String, String> options) {
        return create(name, options);
    }

    /** {@link arm.method.Methods}: every method with the authors' published hyperparameters. */
    MethodFactory PUBLISHED =
            new MethodFactory() {
                @Override
                public Method create(String name, Map<String, String> options) {
                    return Methods.create(name, options);
                }

                @Override
                public Method create(String name, String dataset, Map<String, String> options) {
                    return Methods.create(name, dataset, options);
                }
            };
}
