/**
 * A real QEMU guest for integration tests, and the tests of the guest's virtio port in it.
 *
 * <p>{@link io.vmc.it.qemu.GuestVm} boots Debian's kernel under TCG with an initramfs it builds at
 * test time (busybox-static, virtio/9p/overlay modules, {@code src/test/resources/qemu/init.sh}).
 * The guest mounts the host's {@code /} read-only over 9p with a tmpfs overlay on top (writes stay
 * in the guest), so it runs the host's JDK and the build's jars at their host paths. The port
 * {@code org.spice-space.vmc.0} (device id {@code vmcport}, chardev {@code vmc}) has a unix socket
 * as its host end; QMP and the serial console are in the VM's temporary folder.
 *
 * <p>Typical use, e.g. to run {@code vmc agentd} in the guest and talk to it from the host:
 * <pre>{@code
 * @Timeout(300)
 * class AgentInGuestIT {
 *     @RegisterExtension
 *     static final GuestVmExtension GUEST = new GuestVmExtension();   // one VM per class
 *
 *     @Test
 *     void agentAnswersOverThePort() throws Exception {
 *         GuestVm vm = GUEST.vm();
 *         GuestProcess agentd = vm.vmc("agentd");   // ./vmc's main, launcher class path, fast JVM flags
 *         // or vm.java(classpath, jvmFlags, "main.Class", args...), or vm.java("test.Main", args...)
 *         // with the test's own class path
 *         try (SocketChannel host = vm.connectPort()) {                       // host end of the port
 *             // ... speak vmc.v1 over `host`, or hand vm.portSocket() to the engine as unix:PATH
 *         }
 *         agentd.awaitOutput("ready", Duration.ofSeconds(120));  // output() = stdout+stderr so far
 *         assertThat(agentd.stop(Duration.ofSeconds(10))).isEqualTo(143);
 *     }
 * }
 * }</pre>
 * <ul>
 *   <li>{@code vm.run(List.of("sh", "-c", "..."), Map.of("K", "V"))} runs any command as root in
 *       {@code /tmp}; {@code vm.sharedDir()} is {@value io.vmc.it.qemu.GuestVm#GUEST_SHARED_DIR} in the
 *       guest (writable both ways, not cached).</li>
 *   <li>{@code QmpWatcher.connect(vm.qmpSocket(), GuestVm.PORT_ID, listener)} reports the guest
 *       opening and closing the port.</li>
 *   <li>{@code GuestVm.builder().portChardev("spiceport,name=org.spice-space.vmc.0")
 *       .qemuArgs("-spice", "port=5930,addr=127.0.0.1,disable-ticketing=on")} for the SPICE path.</li>
 *   <li>Files the host changes after boot may be stale in the guest (9p {@code cache=loose}): build
 *       before the VM starts, or pass changing files through {@code sharedDir()}.</li>
 *   <li>Without qemu-system-x86, linux-image-amd64 or busybox-static the class is skipped, with
 *       {@code CI=true} it fails. QEMU is stopped and the temporary folder deleted in
 *       {@code @AfterAll}; if the test JVM dies, QEMU's wrapper stops it.</li>
 * </ul>
 */
package io.vmc.it.qemu;
