// Particles — three CPU-simulated particle systems added together (port of the original's
// 2d-effects/particles): a rising fire, an arcing fountain and an expanding rainbow ring that
// circles the centre. Each is a Particles operator (emitter shape, velocity, spread, gravity, drag,
// life, size over life, colour over life); a Composite in "add" mode layers them.
// Particles keep flying when you save: their state is handed over on a reload.
//
// Keys: SPACE bursts 200 particles from the ring · E cycles the fire's emitter shape ·
//       C cycles the ring's colour mode · hold the left mouse button: the fire follows the mouse ·
//       F toggles fullscreen.
import { Composite, EMITTER_SHAPES, PARTICLE_COLOR_MODES, Particles, type Context } from "vivid";

export function setup(ctx: Context) {
  const chain = ctx.chain;

  const fire = chain.add(Particles, "fire").resolution(1280, 720);
  fire.position = [0.5, 0.85];
  fire.emitRate = 100;
  fire.velocity = [0, -0.15];
  fire.spread = 25;
  fire.gravity = -0.05;
  fire.life = 1.5;
  fire.lifeVariation = 0.3;
  fire.size = 0.025;
  fire.sizeEnd = 0.005;
  fire.colorMode = "gradient";
  fire.color = [1, 0.84, 0, 1]; // gold
  fire.colorEnd = [1, 0.27, 0, 0]; // orange-red, fading
  fire.clearColor = [0.02, 0.02, 0.06, 1];

  const fountain = chain.add(Particles, "fountain").resolution(1280, 720);
  fountain.position = [0.5, 0.7];
  fountain.emitRate = 80;
  fountain.velocity = [0, -0.25];
  fountain.spread = 15;
  fountain.gravity = 0.12;
  fountain.life = 2;
  fountain.size = 0.012;
  fountain.sizeEnd = 0.008;
  fountain.colorMode = "gradient";
  fountain.color = [0.12, 0.56, 1, 1]; // dodger blue
  fountain.colorEnd = [0, 0, 0.8, 0];
  fountain.clearColor = [0, 0, 0, 0];

  const ring = chain.add(Particles, "ring").resolution(1280, 720);
  ring.emitter = "ring";
  ring.emitterSize = 0.1;
  ring.emitRate = 60;
  ring.velocity = [0, 0];
  ring.radialVelocity = 0.15;
  ring.gravity = 0;
  ring.drag = 1.5;
  ring.life = 1.2;
  ring.size = 0.018;
  ring.sizeEnd = 0;
  ring.colorMode = "rainbow";
  ring.clearColor = [0, 0, 0, 0];

  // An opening burst on the first load only (a reload keeps the particles that are flying).
  if (ctx.frame === 0) {
    fire.burst(80);
    fountain.burst(60);
    ring.burst(150);
  }

  const comp = chain.add(Composite, "comp");
  comp.input("fire", 0).input("fountain", 1).input("ring", 2);
  comp.mode = "add";
  chain.output("comp");
}

export function update(ctx: Context) {
  const fire = ctx.chain.get("fire", Particles);
  const fountain = ctx.chain.get("fountain", Particles);
  const ring = ctx.chain.get("ring", Particles);
  const t = ctx.time;

  if (ctx.mouseButton(0).held) fire.position = [ctx.mouseNorm.x, ctx.mouseNorm.y];
  fountain.emitRate = 60 + 30 * Math.sin(t * 2);
  ring.position = [0.5 + 0.12 * Math.cos(t * 0.8), 0.5 + 0.12 * Math.sin(t * 0.8)];

  if (ctx.key("SPACE").pressed) ring.burst(200);
  if (ctx.key("E").pressed) fire.emitter = EMITTER_SHAPES[(EMITTER_SHAPES.indexOf(fire.emitter) + 1) % EMITTER_SHAPES.length]!;
  if (ctx.key("C").pressed) ring.colorMode = PARTICLE_COLOR_MODES[(PARTICLE_COLOR_MODES.indexOf(ring.colorMode) + 1) % PARTICLE_COLOR_MODES.length]!;
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;

  ctx.debug("particles", fire.particleCount + fountain.particleCount + ring.particleCount);
  ctx.debug("fire emitter", fire.emitter);
}
