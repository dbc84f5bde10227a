// Package deploy holds the container image and Kubernetes manifests; its tests check them.
package deploy
