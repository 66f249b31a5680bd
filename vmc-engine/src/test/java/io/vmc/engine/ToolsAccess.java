package io.vmc.engine;

/** Lets tests in sub-packages use {@link Tools}. */
public final class ToolsAccess {
    private ToolsAccess() {
    }

    public static void require(String tool) {
        Tools.require(tool);
    }
}
