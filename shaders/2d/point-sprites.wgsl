// PointSprites: instanced discs (shared with Particles; see common/circles.wgsl).
#import "common/circles.wgsl"
