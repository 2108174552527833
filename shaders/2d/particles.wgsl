// Particles: instanced discs (shared with PointSprites; see common/circles.wgsl).
#import "common/circles.wgsl"
