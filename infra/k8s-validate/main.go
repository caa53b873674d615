// k8s-validate decodes every object of a multi-document Kubernetes YAML stream (such as the output of
// `helm template`) strictly into the official Kubernetes API type its apiVersion and kind name, so a
// misspelt or misplaced field, a wrong value type or an unknown kind fails here instead of at
// `kubectl apply` time (the API server drops unknown fields with only a warning).
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

func main() {
	if len(os.Args) > 2 || (len(os.Args) == 2 && strings.HasPrefix(os.Args[1], "-")) {
		fmt.Fprintln(os.Stderr, "usage: k8s-validate [FILE]   (reads standard input without FILE)")
		os.Exit(2)
	}
	in := io.Reader(os.Stdin)
	name := "<stdin>"
	if len(os.Args) == 2 {
		name = os.Args[1]
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(os.Stderr, "k8s-validate: %v\n", err)
			os.Exit(2)
		}
		defer f.Close()
		in = f
	}
	count, problems := validateStream(in, newScheme())
	for _, p := range problems {
		fmt.Fprintf(os.Stderr, "%s: %s\n", name, p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "k8s-validate: %d of the objects in %s are invalid\n", len(problems), name)
		os.Exit(1)
	}
	if count == 0 {
		fmt.Fprintf(os.Stderr, "k8s-validate: %s holds no Kubernetes objects\n", name)
		os.Exit(1)
	}
	fmt.Printf("k8s-validate: %d objects valid\n", count)
}

// newScheme knows the API groups a chart for Vouch may render; anything else is reported as unknown
// rather than passed unchecked.
func newScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme, policyv1.AddToScheme,
		autoscalingv2.AddToScheme, networkingv1.AddToScheme, rbacv1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	return scheme
}

// validateStream returns how many objects it read and one message per invalid one.
func validateStream(in io.Reader, scheme *runtime.Scheme) (int, []string) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(in))
	var problems []string
	count := 0
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return count, problems
		}
		if err != nil {
			return count, append(problems, fmt.Sprintf("cannot split the YAML stream: %v", err))
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		count++
		if msg := validateObject(doc, scheme); msg != "" {
			problems = append(problems, fmt.Sprintf("object %d %s", count, msg))
		}
	}
}

func validateObject(doc []byte, scheme *runtime.Scheme) string {
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &head); err != nil {
		return fmt.Sprintf("is not a YAML mapping: %v", err)
	}
	label := fmt.Sprintf("(%s %s %q)", head.APIVersion, head.Kind, head.Metadata.Name)
	if head.APIVersion == "" || head.Kind == "" {
		return label + ": apiVersion and kind are both required"
	}
	if head.Metadata.Name == "" {
		return label + ": metadata.name is required"
	}
	gv, err := schema.ParseGroupVersion(head.APIVersion)
	if err != nil {
		return fmt.Sprintf("%s: apiVersion: %v", label, err)
	}
	obj, err := scheme.New(gv.WithKind(head.Kind))
	if err != nil {
		return fmt.Sprintf("%s: not a Kubernetes API type this validator knows (%v)", label, err)
	}
	// UnmarshalStrict rejects unknown and duplicate fields; the typed object rejects wrong value types.
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return fmt.Sprintf("%s: %v", label, err)
	}
	return ""
}

func stripComments(doc []byte) []byte {
	var out bytes.Buffer
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out.Write(line)
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}
