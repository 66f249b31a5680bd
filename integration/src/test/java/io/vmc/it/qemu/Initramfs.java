package io.vmc.it.qemu;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Builds the test guest's initramfs at test time from what Debian installed on the host:
 * {@code busybox-static}, the kernel's virtio, 9p and overlay modules, and the fixture's
 * {@code /init}. Written as an uncompressed cpio "newc" archive, which the kernel unpacks as is.
 */
final class Initramfs {

    /** Load order matters: each module needs the ones before it. */
    static final List<String> MODULES = List.of("virtio_ring", "virtio", "virtio_pci_modern_dev",
            "virtio_pci_legacy_dev", "virtio_pci", "virtio_console", "netfs", "fscache", "9pnet",
            "9pnet_virtio", "9p", "overlay");

    private static final List<Path> BUSYBOX_CANDIDATES = List.of(Path.of("/bin/busybox"), Path.of("/usr/bin/busybox"));

    private Initramfs() {
    }

    /** A kernel image under /boot and its module tree. */
    record Kernel(Path image, Path modules, String version) {
    }

    /**
     * Finds the newest {@code /boot/vmlinuz-VERSION} that has {@code /lib/modules/VERSION} with the
     * modules the guest needs. Empty with nothing found.
     */
    static Optional<Kernel> findKernel() throws IOException {
        Path boot = Path.of("/boot");
        if (!Files.isDirectory(boot)) {
            return Optional.empty();
        }
        List<Kernel> kernels = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(boot, "vmlinuz-*")) {
            for (Path image : dir) {
                String version = image.getFileName().toString().substring("vmlinuz-".length());
                Path modules = Path.of("/lib/modules", version);
                if (Files.isReadable(image) && findModule(modules, "virtio_console").isPresent()) {
                    kernels.add(new Kernel(image, modules, version));
                }
            }
        }
        return kernels.stream().max(Comparator.comparing(Kernel::version, Initramfs::compareVersions));
    }

    static Optional<Path> findBusybox() {
        return BUSYBOX_CANDIDATES.stream().filter(Files::isExecutable).findFirst();
    }

    /** Writes the archive to {@code out}. */
    static void build(Kernel kernel, Path busybox, String controlPortName, int upperMb, Path out) throws IOException {
        List<String> moduleFiles = new ArrayList<>();
        try (OutputStream os = Files.newOutputStream(out)) {
            CpioWriter cpio = new CpioWriter(os);
            for (String d : List.of("bin", "dev", "proc", "sys", "lib", "lib/modules", "lower", "upper", "newroot")) {
                cpio.directory(d);
            }
            cpio.charDevice("dev/console", 5, 1);
            cpio.file("bin/busybox", 0755, Files.readAllBytes(busybox));
            for (String m : MODULES) {
                Path module = findModule(kernel.modules(), m).orElseThrow(() -> new IOException(
                        "kernel module " + m + " not found under " + kernel.modules()));
                String name = module.getFileName().toString();
                moduleFiles.add(name);
                cpio.file("lib/modules/" + name, 0644, Files.readAllBytes(module));
            }
            String init = resource("init.sh")
                    .replace("@MODULES@", String.join(" ", moduleFiles))
                    .replace("@UPPER_MB@", Integer.toString(upperMb))
                    .replace("@CONTROL_PORT@", controlPortName);
            cpio.file("init", 0755, init.getBytes(StandardCharsets.UTF_8));
            cpio.trailer();
        }
    }

    static String resource(String name) throws IOException {
        try (InputStream in = Initramfs.class.getResourceAsStream("/qemu/" + name)) {
            if (in == null) {
                throw new IOException("test resource /qemu/" + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** {@code NAME.ko}, or a compressed variant (busybox's insmod unpacks xz and gzip). */
    static Optional<Path> findModule(Path moduleTree, String name) throws IOException {
        if (!Files.isDirectory(moduleTree)) {
            return Optional.empty();
        }
        try (var files = Files.walk(moduleTree.resolve("kernel"))) {
            return files.filter(p -> {
                String f = p.getFileName().toString();
                return f.equals(name + ".ko") || f.equals(name + ".ko.xz") || f.equals(name + ".ko.gz");
            }).findFirst();
        }
    }

    static int compareVersions(String a, String b) {
        String[] x = a.split("[.-]");
        String[] y = b.split("[.-]");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c;
            if (x[i].matches("\\d+") && y[i].matches("\\d+")) {
                c = Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]));
            } else {
                c = x[i].compareTo(y[i]);
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    /** The "newc" (SVR4, no CRC) cpio format that the kernel's initramfs unpacker reads. */
    static final class CpioWriter {
        private final OutputStream out;
        private long written;
        private int inode = 1;

        CpioWriter(OutputStream out) {
            this.out = out;
        }

        void directory(String path) throws IOException {
            entry(path, 0040755, 0, 0, new byte[0]);
        }

        void file(String path, int permissions, byte[] content) throws IOException {
            entry(path, 0100000 | permissions, 0, 0, content);
        }

        void charDevice(String path, int major, int minor) throws IOException {
            entry(path, 0020600, major, minor, new byte[0]);
        }

        void trailer() throws IOException {
            entry("TRAILER!!!", 0, 0, 0, new byte[0]);
            out.flush();
        }

        private void entry(String path, int mode, int rdevMajor, int rdevMinor, byte[] content) throws IOException {
            byte[] name = (path + "\0").getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream h = new ByteArrayOutputStream(110);
            h.writeBytes("070701".getBytes(StandardCharsets.US_ASCII));
            long[] fields = {path.equals("TRAILER!!!") ? 0 : inode++, mode, 0, 0, mode == 0040755 ? 2 : 1, 0,
                    content.length, 0, 0, rdevMajor, rdevMinor, name.length, 0};
            for (long f : fields) {
                h.writeBytes(String.format("%08x", f).getBytes(StandardCharsets.US_ASCII));
            }
            write(h.toByteArray());
            write(name);
            pad();
            write(content);
            pad();
        }

        private void write(byte[] b) throws IOException {
            out.write(b);
            written += b.length;
        }

        private void pad() throws IOException {
            while (written % 4 != 0) {
                out.write(0);
                written++;
            }
        }
    }
}
