// Field order and types match Feedback's param declaration (operators/2d/feedback.ts), then internals.
struct Params {
  decay: f32,          // @0   how much of the previous frame remains
  mix: f32,            // @4   0 = all feedback, 1 = all input
  offset: vec2f,       // @8   pixels per frame (x right, y down)
  zoom: f32,           // @16  scale per frame about the centre
  rotate: f32,         // @20  radians per frame
  resolution: vec2f,   // @24  output size in pixels (internal)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var source: texture_2d<f32>;
@group(0) @binding(3) var previous: texture_2d<f32>;

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  let fresh = textureSampleLevel(source, linearSampler, uv, 0.0);

  // Where this pixel was last frame: undo the offset, zoom and rotation (in pixels about the centre,
  // so rotation is not skewed by the aspect).
  let centre = 0.5 * params.resolution;
  var p = uv * params.resolution - params.offset - centre;
  p = p / params.zoom;
  let c = cos(params.rotate);
  let s = sin(params.rotate);
  p = vec2f(c * p.x + s * p.y, -s * p.x + c * p.y);
  let sourceUv = (p + centre) / params.resolution;

  let inside = all(sourceUv >= vec2f(0.0)) && all(sourceUv <= vec2f(1.0));
  let last = select(vec4f(0.0), textureSampleLevel(previous, linearSampler, sourceUv, 0.0), inside);
  let trail = vec4f(last.rgb * params.decay, last.a);
  return mix(trail, fresh, params.mix);
}
