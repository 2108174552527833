import { describe, expect, it } from "vitest";
import { chooseFormat, choosePresentMode } from "../../../runtime/gpu/surface.ts";

describe("surface choices", () => {
  it("takes the non-sRGB format even when the driver lists the sRGB one first", () => {
    // Lavapipe's order: an sRGB swap chain would encode the chain's display values a second time.
    expect(chooseFormat(["bgra8unorm-srgb", "bgra8unorm"])).toBe("bgra8unorm");
    expect(chooseFormat(["rgba8unorm-srgb", "rgba8unorm"])).toBe("rgba8unorm");
    expect(chooseFormat(["rgba16float", "bgra8unorm-srgb"])).toBe("rgba16float");
    expect(chooseFormat(["bgra8unorm-srgb"])).toBe("bgra8unorm-srgb");
    expect(() => chooseFormat([])).toThrow(/no formats/);
  });

  it("falls back from immediate to mailbox to fifo", () => {
    expect(choosePresentMode("immediate", ["fifo", "immediate"])).toBe("immediate");
    expect(choosePresentMode("immediate", ["fifo", "mailbox"])).toBe("mailbox");
    expect(choosePresentMode("immediate", ["fifo"])).toBe("fifo");
    expect(choosePresentMode("fifo", ["fifo"])).toBe("fifo");
  });
});
