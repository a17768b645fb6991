package dev.vmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmx.vmcs.VmcsSource;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * vmx-api's compiled module descriptor, resolved as a real module in its own layer (the unit tests
 * otherwise run on the class path): what it exports and requires, and that ServiceLoader finds
 * the embedded VmcsSource through {@code provides} alone.
 */
class ModuleDescriptorTest {
    private static Path moduleClasses() throws Exception {
        return Path.of(VmcsSource.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static ModuleReference module() throws Exception {
        return ModuleFinder.of(moduleClasses()).find("dev.vmx.api")
                .orElseThrow(() -> new AssertionError("no module dev.vmx.api in " + Path.of("target/classes")));
    }

    @Test
    void exportsEveryPackageAndRequiresNothingAtRunTime() throws Exception {
        ModuleDescriptor descriptor = module().descriptor();
        Set<String> exported = descriptor.exports().stream().filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toCollection(TreeSet::new));
        // every package of vmx-api holds public API; none is internal
        assertEquals(new TreeSet<>(descriptor.packages()), exported);
        for (ModuleDescriptor.Requires requires : descriptor.requires()) {
            boolean runTime = !requires.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC);
            assertTrue(!runTime || requires.name().equals("java.base"),
                    "vmx-api must have no run-time dependency, but requires " + requires);
        }
        assertTrue(descriptor.requires().stream().anyMatch(r -> r.name().equals("org.immutables.value.annotations")
                && r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)), "Immutables is compile-only");
        // VmcsSource backends, and the binary trace readers (trace.dat, in vmx-hw) ExitStatistics.readFile finds
        assertEquals(Set.of("dev.vmx.vmcs.VmcsSource", "dev.vmx.trace.BinaryKvmTraceFormat"), descriptor.uses());
        assertEquals(List.of("dev.vmx.vmcs.InMemoryVmcsSource"), descriptor.provides().stream()
                .filter(p -> p.service().equals("dev.vmx.vmcs.VmcsSource")).findFirst().orElseThrow().providers());
    }

    @Test
    void serviceLoaderFindsTheEmbeddedSourceOnTheModulePath() throws Exception {
        ModuleFinder finder = ModuleFinder.of(moduleClasses());
        Configuration configuration = ModuleLayer.boot().configuration()
                .resolve(finder, ModuleFinder.of(), Set.of("dev.vmx.api"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(configuration, ClassLoader.getPlatformClassLoader());
        Class<?> service = layer.findLoader("dev.vmx.api").loadClass("dev.vmx.vmcs.VmcsSource");
        assertTrue(service.getModule().isNamed(), "loaded from the module, not the class path");
        List<String> names = ServiceLoader.load(layer, service).stream().map(provider -> {
            try {
                return (String) service.getMethod("name").invoke(provider.get());
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }).collect(Collectors.toList());
        assertEquals(List.of("memory"), names);
    }
}
