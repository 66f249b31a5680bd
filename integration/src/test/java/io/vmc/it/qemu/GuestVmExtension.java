package io.vmc.it.qemu;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link GuestVm} per test class:
 * <pre>{@code
 * @RegisterExtension
 * static final GuestVmExtension GUEST = new GuestVmExtension();
 * ... GUEST.vm().java("my.Main", "arg") ...
 * }</pre>
 * Without QEMU, a kernel or busybox the class is skipped, except with {@code CI=true}, where it
 * fails: CI must install them.
 */
public final class GuestVmExtension implements BeforeAllCallback, AfterAllCallback {

    private static final Logger LOG = LoggerFactory.getLogger(GuestVmExtension.class);

    private final GuestVm.Builder builder;
    private GuestVm vm;

    public GuestVmExtension() {
        this(GuestVm.builder());
    }

    public GuestVmExtension(GuestVm.Builder builder) {
        this.builder = builder;
    }

    /** The running guest; valid between this class's {@code @BeforeAll} and {@code @AfterAll}. */
    public GuestVm vm() {
        if (vm == null) {
            throw new IllegalStateException("the guest VM is not running (register the extension on a static field)");
        }
        return vm;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        GuestVm.missingPrerequisites().ifPresent(missing -> {
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(missing + " (CI=true: tests that need QEMU must run)");
            }
            Assumptions.abort(missing);
        });
        vm = builder.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (vm != null) {
            if (context.getExecutionException().isPresent()) {
                LOG.info("guest console after a failure in {}:\n{}", context.getDisplayName(), vm.consoleTail());
            }
            vm.close();
            vm = null;
        }
    }
}
