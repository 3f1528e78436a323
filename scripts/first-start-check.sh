# Sourced by scripts/desktop-test.sh and scripts/deb-fresh-debian.sh: whether the app's first
# start shows the editor with a diagram, and still, on the X display $DISPLAY.
# `editor_drawn_and_still SHOT.png` takes a screenshot to SHOT.png and succeeds when the window
# is drawn (not blank: more than 400 colours), the middle of the canvas shows a diagram (more
# than 20 colours in a 300x200 box where "Opening the workspace…" or "No service open" leave
# one), and this screenshot is the same picture as the one before (the fit of the diagram is
# over). Call it until it succeeds.
last_shot=""
editor_drawn_and_still() {
  local shot=$1 colours canvas signature previous=$last_shot
  import -window root "$shot"
  colours=$(identify -format '%k' "$shot")
  canvas=$(convert "$shot" -crop 300x200+450+320 +repage -format '%k' info:)
  signature=$(identify -format '%#' "$shot")
  last_shot=$signature
  [ "$colours" -gt 400 ] && [ "$canvas" -gt 20 ] && [ "$signature" = "$previous" ]
}
