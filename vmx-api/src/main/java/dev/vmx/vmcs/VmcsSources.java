package dev.vmx.vmcs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds {@link VmcsSource}s with {@link ServiceLoader}: the embedded in-memory source is always
 * there; native backends appear when vmx-hw is on the class or module path.
 */
public final class VmcsSources {
    private VmcsSources() {
    }

    /**
     * Every registered source, available or not, the embedded one first.
     *
     * @return the sources, new instances on each call
     */
    public static List<VmcsSource> all() {
        List<VmcsSource> sources = new ArrayList<>();
        for (VmcsSource source : ServiceLoader.load(VmcsSource.class, VmcsSources.class.getClassLoader())) {
            sources.add(source);
        }
        sources.sort((a, b) -> Boolean.compare(!InMemoryVmcsSource.NAME.equals(a.name()),
                !InMemoryVmcsSource.NAME.equals(b.name())));
        return Collections.unmodifiableList(sources);
    }

    /**
     * The source with a name.
     *
     * @param name e.g. {@code memory}
     * @return the source, or empty when none is registered under that name
     */
    public static Optional<VmcsSource> find(String name) {
        return all().stream().filter(source -> source.name().equals(name)).findFirst();
    }

    /**
     * The embedded default, which needs no hardware.
     *
     * @return a new, empty in-memory source
     */
    public static InMemoryVmcsSource embedded() {
        return new InMemoryVmcsSource();
    }
}
