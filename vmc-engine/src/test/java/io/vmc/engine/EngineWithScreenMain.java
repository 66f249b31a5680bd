package io.vmc.engine;

/**
 * {@code vmc engine} with a known guest screen ({@link QuadrantScreen}) in place of a SPICE
 * display, for the screen-share prompt test.
 */
final class EngineWithScreenMain {
    private EngineWithScreenMain() {
    }

    public static void main(String[] args) {
        EngineCommand cmd = new EngineCommand();
        cmd.spiceScreen = new QuadrantScreen();
        System.exit(new picocli.CommandLine(cmd).execute(args));
    }
}
